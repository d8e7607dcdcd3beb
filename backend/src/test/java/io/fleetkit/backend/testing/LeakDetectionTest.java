package io.fleetkit.backend.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leak check is only worth something if it sees a leak: this one leaks on purpose. */
class LeakDetectionTest {

    @Test
    void aLeakedBufferIsReported() {
        leakOne();
        for (int i = 0; i < 50 && LeakDetection.leaks().isEmpty(); i++) {
            System.gc();
            PooledByteBufAllocator.DEFAULT.buffer(8).release();
        }
        try {
            assertThat(LeakDetection.leaks()).as("the paranoid detector reports a dropped buffer").isNotEmpty();
            assertThatThrownBy(LeakDetection::assertNoLeaks).isInstanceOf(AssertionError.class).hasMessageContaining("leak");
        } finally {
            LeakDetection.forget();
        }
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(8);
        leaked.writeInt(42);
    }
}
