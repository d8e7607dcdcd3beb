package io.fleetkit.backend.throttle;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThrottlesTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void profilesFollowThePublishedQuotas() {
        assertThat(ThrottleProfile.parse("off").isOff()).isTrue();
        assertThat(ThrottleProfile.parse("S1").connectsPerSecond()).isEqualTo(100);
        assertThat(ThrottleProfile.parse("s1x10").sendsPerSecond()).isEqualTo(120);
        assertThat(ThrottleProfile.parse("s2x2").connectsPerSecond()).isEqualTo(240);
        assertThat(ThrottleProfile.parse("s3").sendsPerSecond()).isEqualTo(6000);
        assertThat(ThrottleProfile.parse("f1").dpsOperationsPerMinute()).isEqualTo(1000);
        assertThat(ThrottleProfile.parse("s1").pollsPer10sPerDevice()).isEqualTo(5);
        assertThatThrownBy(() -> ThrottleProfile.parse("b1")).hasMessageContaining("expected off, f1, s1, s2 or s3");
        assertThatThrownBy(() -> ThrottleProfile.parse("s1x0")).hasMessageContaining("unit count must be 1–200");
        assertThatThrownBy(() -> ThrottleProfile.parse("f1x2")).hasMessageContaining("F1 has a single unit");
    }

    @Test
    void offLetsEverythingThrough() {
        Throttles t = new Throttles(ThrottleProfile.OFF, now::get);
        for (int i = 0; i < 10_000; i++) {
            assertThat(t.connect()).isEqualTo(Throttles.Verdict.GO);
            assertThat(t.dpsRegister()).isEqualTo(Throttles.Verdict.GO);
        }
    }

    @Test
    void dpsAdmitsABurstOf100ThenAnswersRetryAfter() {
        Throttles t = new Throttles(ThrottleProfile.parse("s1"), now::get);
        int admitted = 0;
        long retryAfter = 0;
        for (int i = 0; i < 1000; i++) {
            Throttles.Verdict v = t.dpsRegister();
            if (v instanceof Throttles.Verdict.Go) {
                admitted++;
            } else {
                retryAfter = ((Throttles.Verdict.Refuse) v).retryAfterNanos();
            }
        }
        assertThat(admitted).isEqualTo(100);
        assertThat(retryAfter).isBetween(1L, TimeUnit.MILLISECONDS.toNanos(60)); // 1000/min: one every 60 ms
        assertThat(t.counters().dpsThrottled()).isEqualTo(900);
        now.addAndGet(TimeUnit.SECONDS.toNanos(6)); // 6 s refill 100 permits
        int later = 0;
        while (t.dpsRegister() instanceof Throttles.Verdict.Go) {
            later++;
        }
        assertThat(later).isEqualTo(100);
    }

    @Test
    void statusPollsAreLimitedPerDevice() {
        Throttles t = new Throttles(ThrottleProfile.parse("s1"), now::get);
        for (int i = 0; i < 5; i++) {
            assertThat(t.dpsPoll("dev-1")).isEqualTo(Throttles.Verdict.GO);
        }
        assertThat(t.dpsPoll("dev-1")).isInstanceOf(Throttles.Verdict.Refuse.class);
        assertThat(t.dpsPoll("dev-2")).as("another device has its own budget").isEqualTo(Throttles.Verdict.GO);
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(t.dpsPoll("dev-1")).isEqualTo(Throttles.Verdict.GO);
    }

    @Test
    void theHubDelaysThenRefuses() {
        Throttles t = new Throttles(ThrottleProfile.parse("s1"), now::get); // 100 connects/s, burst 100
        for (int i = 0; i < 100; i++) {
            assertThat(t.connect()).isEqualTo(Throttles.Verdict.GO);
        }
        Throttles.Verdict delayed = t.connect();
        assertThat(delayed).isInstanceOf(Throttles.Verdict.Delay.class);
        assertThat(((Throttles.Verdict.Delay) delayed).nanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
        for (int i = 0; i < 499; i++) {
            assertThat(t.connect()).isInstanceOf(Throttles.Verdict.Delay.class); // reserved up to 5 s ahead
        }
        assertThat(t.connect()).isInstanceOf(Throttles.Verdict.Refuse.class);
        assertThat(t.counters().connectsDelayed()).isEqualTo(500);
        assertThat(t.counters().connectsRefused()).isEqualTo(1);
    }

    @Test
    void switchingTheProfileAtRunTime() {
        Throttles t = new Throttles(ThrottleProfile.OFF, now::get);
        t.set(ThrottleProfile.parse("s1"));
        assertThat(t.profile().name()).isEqualTo("s1");
        t.set(ThrottleProfile.OFF);
        assertThat(t.profile().isOff()).isTrue();
    }

    @Test
    void aClusterOfHubNodesSharesTheHubsRatesEqually() {
        Throttles t = new Throttles(ThrottleProfile.parse("s1"), now::get); // 100 connects/s for the hub
        t.share(4);
        assertThat(t.share()).isEqualTo(4);
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            if (t.connect() instanceof Throttles.Verdict.Go) {
                admitted++;
            }
        }
        assertThat(admitted).as("a burst of a quarter of the hub's second on each of 4 nodes").isEqualTo(25);
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        t.share(2); // a node died, another left: the two left take half each
        admitted = 0;
        for (int i = 0; i < 100; i++) {
            if (t.connect() instanceof Throttles.Verdict.Go) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(50);
        assertThatThrownBy(() -> t.share(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
