package io.fleetkit.testing;

import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.PkiDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ThrowAwayPki.Use
class ThrowAwayPkiTest {
    private static ThrowAwayPki classPki;
    private static final List<Path> methodPkis = new ArrayList<>();
    private ThrowAwayPki beforeEach;

    @BeforeAll
    static void classScope(ThrowAwayPki pki) {
        classPki = pki;
    }

    @BeforeEach
    void methodScope(ThrowAwayPki pki) {
        beforeEach = pki;
    }

    @Test
    void aTestSharesItsPkiWithItsBeforeEachAndNotWithTheClass(ThrowAwayPki pki) {
        assertThat(pki).isSameAs(beforeEach).isNotSameAs(classPki);
        methodPkis.add(pki.directory().dir());
        PkiDirectory loaded = PkiDirectory.load(pki.directory().dir());
        assertThat(loaded.server().certificate()).isEqualTo(pki.directory().server().certificate());
    }

    @Test
    void devicesAreIssuedByTheIntermediateAndKeptStrangersAreNot(ThrowAwayPki pki) throws Exception {
        methodPkis.add(pki.directory().dir());
        DeviceIdentity d = pki.device("dev-7");
        assertThat(d.credential().certificate().getIssuerX500Principal()).isEqualTo(pki.directory().intermediate().certificate().getSubjectX500Principal());
        d.credential().certificate().verify(pki.directory().intermediate().certificate().getPublicKey());
        assertThat(pki.directory().loadDevice(d.registrationId()).credential().certificate()).isEqualTo(d.credential().certificate());
        DeviceIdentity s = pki.stranger("dev-8");
        assertThat(s.credential().certificate().getIssuerX500Principal()).isEqualTo(s.credential().certificate().getSubjectX500Principal());
        assertThat(pki.directory().deviceIds()).containsExactly(d.registrationId());
        assertThat(Files.isDirectory(pki.scratch("data"))).isTrue();
    }

    @AfterAll
    static void eachTestsPkiWasDeletedAfterIt() {
        assertThat(methodPkis).hasSize(2).noneMatch(Files::exists);
        assertThat(Files.exists(classPki.directory().dir())).as("the class's lives until the class is done").isTrue();
    }

    @Test
    void eventuallyNamesWhatItAwaitedAndWhatItSaw() {
        long[] polls = {0};
        Eventually.until("three polls", () -> ++polls[0] >= 3);
        assertThat(polls[0]).isEqualTo(3);
        assertThatThrownBy(() -> Eventually.until("the impossible", Duration.ofMillis(100), () -> false, () -> "seen: nothing"))
                .isInstanceOf(AssertionError.class).hasMessage("the impossible within PT0.1S; seen: nothing");
        assertThat(Eventually.value("a value", Duration.ofSeconds(1), () -> polls[0]++ >= 5 ? "found" : null)).isEqualTo("found");
    }
}
