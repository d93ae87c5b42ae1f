package jobs.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import jobs.support.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NamespaceFilterTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(List.of(), List.of(), "shop", true),
                Arguments.of(List.of(), List.of(), "kube-system", false),
                Arguments.of(List.of("*"), List.of(), "kube-public", false),
                Arguments.of(List.of("kube-system"), List.of(), "kube-system", true),
                Arguments.of(List.of("kube-*"), List.of(), "kube-system", false),
                Arguments.of(List.of("shop-*"), List.of(), "shop-eu", true),
                Arguments.of(List.of("shop-*"), List.of(), "billing", false),
                Arguments.of(List.of("shop-??"), List.of(), "shop-eu", true),
                Arguments.of(List.of("shop-??"), List.of(), "shop-east", false),
                Arguments.of(List.of("team-[ab]"), List.of(), "team-a", true),
                Arguments.of(List.of("team-[ab]"), List.of(), "team-c", false),
                Arguments.of(List.of("*"), List.of("shop-*"), "shop-eu", false),
                Arguments.of(List.of(), List.of("billing"), "billing", false),
                Arguments.of(List.of(), List.of("billing"), "shop", true));
    }

    @ParameterizedTest(name = "include {0} exclude {1}: {2} -> {3}")
    @MethodSource("cases")
    void matchesGlobsAndLeavesSystemNamespacesOut(List<String> in, List<String> out, String ns, boolean expected) {
        assertThat(NamespaceFilter.of(in, out).matches(ns)).isEqualTo(expected);
    }

    @Test
    void wholeClusterUnlessAnIncludeNarrowsIt() {
        assertThat(NamespaceFilter.of(List.of(), List.of()).selectsAll()).isTrue();
        assertThat(NamespaceFilter.of(List.of("*"), List.of()).selectsAll()).isTrue();
        assertThat(NamespaceFilter.of(List.of("shop"), List.of()).selectsAll()).isFalse();
        // "Everything but scratch-*" is still a backup of the cluster, with its cluster-scoped objects.
        assertThat(NamespaceFilter.of(List.of(), List.of("billing")).selectsAll()).isTrue();
        assertThat(NamespaceFilter.of(List.of("*"), List.of("scratch-*")).selectsAll()).isTrue();
        assertThat(NamespaceFilter.of(List.of("shop"), List.of("scratch-*")).selectsAll()).isFalse();
    }

    @Test
    void badPatternIsInvalidInputNamingIt() {
        assertThatThrownBy(() -> NamespaceFilter.of(List.of("shop["), List.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("shop[");
        assertThatThrownBy(() -> NamespaceFilter.of(List.of(), List.of("a/b")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--exclude-namespaces");
    }
}
