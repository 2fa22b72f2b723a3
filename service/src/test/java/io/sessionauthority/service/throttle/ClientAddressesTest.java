package io.sessionauthority.service.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.InvalidArgumentException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class ClientAddressesTest {

    private static final String FIELD = "client.ip_address";

    @ParameterizedTest
    @CsvSource({
            "203.0.113.9,     203.0.113.9",
            "0.0.0.0,         0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "10.0.100.1,      10.0.100.1"})
    void acceptsDottedQuads(String text, String canonical) {
        assertThat(ClientAddresses.parse(FIELD, text)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "::ffff:203.0.113.9",
            "::FFFF:203.0.113.9",
            "::ffff:cb00:7109",
            "0:0:0:0:0:ffff:cb00:7109",
            "::203.0.113.9",
            "::cb00:7109",
            "64:ff9b::203.0.113.9",
            "64:ff9b::cb00:7109",
            "2002:cb00:7109::1",
            "2002:cb00:7109:1:2:3:4:5",
            "2001:0:4136:e378:8000:63bf:34ff:8ef6", // Teredo: 0x34ff8ef6 ^ 0xffffffff = 0xcb007109
            "2001:0000:4136:E378:8000:63BF:34FF:8EF6"})
    void returnsTheIpv4HostOfEveryEmbeddingForm(String text) {
        assertThat(ClientAddresses.parse(FIELD, text)).isEqualTo("203.0.113.9");
    }

    @ParameterizedTest
    @CsvSource({
            "::1,                                       ::1",
            "0:0:0:0:0:0:0:1,                           ::1",
            "0000::0001,                                ::1",
            "::0.0.0.1,                                 ::1",
            "::,                                        ::",
            "0:0:0:0:0:0:0:0,                           ::",
            "::0.0.0.0,                                 ::"})
    void keepsLoopbackAndUnspecifiedAsIpv6(String text, String canonical) {
        assertThat(ClientAddresses.parse(FIELD, text)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @CsvSource({
            "2001:0DB8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1", // tie: the first run
            "2001:db8:0:0:0:0:2:1,                    2001:db8::2:1",
            "2001:db8:0:1:1:1:1:1,                    2001:db8:0:1:1:1:1:1", // a single zero group stays
            "2001:db8:0:0:1:0:0:0,                    2001:db8:0:0:1::", // the longest run wins
            "2001:db8::1:0:0:0:1,                     2001:db8:0:1::1",
            "1:2:3:4:5:6:7::,                         1:2:3:4:5:6:7:0", // '::' for one group is accepted
            "::2:3:4:5:6:7:8,                         0:2:3:4:5:6:7:8",
            "fe80::,                                  fe80::",
            "FE80::ABCD:0012,                         fe80::abcd:12",
            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", // 45 characters
            "1:2:3:4:5:6:1.2.3.4,                     1:2:3:4:5:6:102:304"}) // no embedded-IPv4 form on output
    void writesOtherIpv6InRfc5952Form(String text, String canonical) {
        assertThat(ClientAddresses.parse(FIELD, text)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "1::2::3",
            ":::",
            "1:::2",
            "1.2.3.4:",
            "203.0.113.9:80",
            "[::1]",
            "[::1]:80",
            "fe80::1%eth0",
            "fe80::1%1",
            " 203.0.113.9",
            "203.0.113.9 ",
            "203.0.113.9\n",
            " ::1",
            "::1 ",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7::8",
            "::1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:1.2.3.4",
            "12345::",
            "::0abcd",
            ":1::2",
            "1::2:",
            ":1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:",
            ":",
            "::1:",
            ":::1",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.1000",
            "1..2.3",
            "0x7f.0.0.1",
            "16909060",
            "abcd",
            "::ffff:1.2.3",
            "::ffff:01.2.3.4",
            "1.2.3.4::",
            "1.2.3.4::1",
            "::1.2.3.4:1",
            "g::1",
            "localhost",
            "+1.2.3.4",
            "\u0661.\u0662.\u0663.\u0664", // Arabic-Indic digits
            "\uff11.2.3.4"}) // a fullwidth digit
    void rejectsAnythingButOneStrictLiteral(String text) {
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, text))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(FIELD + ": is not an IP address (")
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo(FIELD));
    }

    @Test
    void rejectsTextLongerThanAnyAddress() {
        String text = "0000:0000:0000:0000:0000:0000:0000:0000:000000";
        assertThat(text).hasSize(46);
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, text)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("longer than 45");
    }

    @Test
    void rejectsNullLikeEmpty() {
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void explainsTheCommonMistakes() {
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, "fe80::1%eth0")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("zone");
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, "203.0.113.9:80")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, "[::1]:80")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("bracket");
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, "01.2.3.4")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("leading zero");
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, "1::2::3")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'::'");
        assertThatThrownBy(() -> ClientAddresses.parse(FIELD, "1.2.3.4\n")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("U+000A");
    }

    @Test
    void parsingIsIdempotent() {
        for (String text : new String[] {"2001:0DB8::0001", "::ffff:203.0.113.9", "fe80::", "::1", "198.51.100.7"}) {
            String canonical = ClientAddresses.parse(FIELD, text);
            assertThat(ClientAddresses.parse(FIELD, canonical)).isEqualTo(canonical);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "2001:db8:1:2:3:4:5:6,    2001:db8:1:2::/64",
            "2001:db8:1:2::,          2001:db8:1:2::/64",
            "2001:db8:0:0:ffff::1,    2001:db8::/64",
            "fe80::1,                 fe80::/64",
            "::1,                     ::/64",
            "203.0.113.9,             203.0.113.9"})
    void countsIpv6ByItsSlash64AndIpv4ByItself(String canonical, String key) {
        assertThat(ClientAddresses.counterKey(canonical)).isEqualTo(key);
    }

    @Test
    void everySpellingOfOneHostSharesOneCounter() {
        assertThat(ClientAddresses.counterKey(ClientAddresses.parse(FIELD, "::ffff:cb00:7109")))
                .isEqualTo(ClientAddresses.counterKey(ClientAddresses.parse(FIELD, "203.0.113.9")));
        assertThat(ClientAddresses.counterKey(ClientAddresses.parse(FIELD, "2001:DB8:1:2:aaaa::1")))
                .isEqualTo(ClientAddresses.counterKey(ClientAddresses.parse(FIELD, "2001:db8:1:2:ffff:ffff:ffff:ffff")));
    }
}
