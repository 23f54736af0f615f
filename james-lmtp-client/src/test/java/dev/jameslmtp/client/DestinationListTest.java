package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DestinationListTest {

    @Test
    void parseShouldReadAListSeparatedByCommasAndWhiteSpaceAsPostfixWritesIt() {
        DestinationList list = DestinationList.parse("inet:a.test:24, inet:b.test:2424  unix:/run/lmtp,[ipv6:::1]:24");

        assertThat(list.servers()).containsExactly(Destination.parse("inet:a.test:24"), Destination.parse("inet:b.test:2424"),
                Destination.parse("unix:/run/lmtp"), Destination.parse("[ipv6:::1]:24"));
        assertThat(DestinationList.parse(list.toString())).isEqualTo(list);
    }

    @Test
    void parseShouldReadASingleDestinationAsAListOfOne() {
        assertThat(DestinationList.parse("unix:/run/dovecot/lmtp").servers()).containsExactly(Destination.parse("unix:/run/dovecot/lmtp"));
    }

    @Test
    void parseShouldNameTheMalformedElement() {
        assertThatThrownBy(() -> DestinationList.parse("inet:a.test:24, inet:b.test:25"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inet:b.test:25");
    }

    @Test
    void parseShouldRefuseAnEmptyListAndAServerNamedTwice() {
        assertThatThrownBy(() -> DestinationList.parse(" , ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> DestinationList.parse("inet:a.test, inet:a.test:24")).hasMessageContaining("twice");
    }
}
