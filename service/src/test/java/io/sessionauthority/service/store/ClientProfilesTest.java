package io.sessionauthority.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ClientProfilesTest {

    @Test
    void contentRoundTripsAndItsIdDependsOnItAlone() {
        String content = ClientProfiles.encode("Mia’s iPhone", "Mozilla/5.0 (iPhone)");
        assertThat(ClientProfiles.decode(content)).isEqualTo(new ClientProfiles.Profile("Mia’s iPhone", "Mozilla/5.0 (iPhone)"));
        assertThat(ClientProfiles.decode(ClientProfiles.encode("", "curl/8"))).isEqualTo(new ClientProfiles.Profile("", "curl/8"));
        assertThat(ClientProfiles.decode(ClientProfiles.encode("desk", ""))).isEqualTo(new ClientProfiles.Profile("desk", ""));
        assertThat(ClientProfiles.encode("", "")).as("no metadata, no profile").isEmpty();

        assertThat(ClientProfiles.idOf(content)).matches("[A-Za-z0-9_-]{16}").isEqualTo(ClientProfiles.idOf(content));
        assertThat(ClientProfiles.idOf(ClientProfiles.encode("ab", "c")))
                .as("the separator keeps name and agent apart").isNotEqualTo(ClientProfiles.idOf(ClientProfiles.encode("a", "bc")));
        assertThat(ClientProfiles.idOf(content)).isNotEqualTo(ClientProfiles.idOf(ClientProfiles.encode("Mia’s iPad", "Mozilla/5.0 (iPhone)")));
    }

    @Test
    void knownProfilesAreTheirUsersAndTheCacheStartsAgainWhenFull() {
        ClientProfiles profiles = new ClientProfiles(2);
        ClientProfiles.Profile phone = new ClientProfiles.Profile("phone", "Safari");
        profiles.remember("alice", "id1", phone);
        assertThat(profiles.known("alice", "id1")).isEqualTo(phone);
        assertThat(profiles.known("bob", "id1")).as("another user's profile of the same id").isNull();

        profiles.remember("alice", "id2", phone);
        profiles.remember("alice", "id3", phone); // full: starts again
        assertThat(profiles.known("alice", "id1")).isNull();
        assertThat(profiles.known("alice", "id3")).isEqualTo(phone);
    }

    @Test
    void sharedProfilesAreNoUsersOwn() {
        ClientProfiles profiles = new ClientProfiles(4);
        ClientProfiles.Profile phone = new ClientProfiles.Profile("phone", "Safari");
        profiles.rememberShared("id1", phone);
        assertThat(profiles.knownShared("id1")).isEqualTo(phone);
        assertThat(profiles.known("alice", "id1")).as("a user's own profile of the same id").isNull();
        profiles.remember("alice", "id2", phone);
        assertThat(profiles.knownShared("id2")).isNull();
    }
}
