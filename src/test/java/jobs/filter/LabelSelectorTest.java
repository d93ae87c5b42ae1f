package jobs.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelSelectorTest {

    static final Map<String, String> PROD_WEB = Map.of("env", "prod", "tier", "web", "app.kubernetes.io/name", "shop");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("", true),
                Arguments.of("env=prod", true),
                Arguments.of("env==prod", true),
                Arguments.of("env=dev", false),
                Arguments.of("env!=dev", true),
                Arguments.of("env!=prod", false),
                Arguments.of("missing!=x", true),
                Arguments.of("env in (prod,staging)", true),
                Arguments.of("env in (dev, staging)", false),
                Arguments.of("env notin (dev,staging)", true),
                Arguments.of("env notin (prod)", false),
                Arguments.of("missing notin (prod)", true),
                Arguments.of("missing in (prod)", false),
                Arguments.of("tier", true),
                Arguments.of("missing", false),
                Arguments.of("!missing", true),
                Arguments.of("!tier", false),
                Arguments.of("app.kubernetes.io/name=shop", true),
                Arguments.of("env=prod,tier!=web", false),
                Arguments.of("env=prod;tier=web", true),
                Arguments.of("env in (prod),tier notin (db),!legacy", true),
                Arguments.of(" env = prod , tier ", true));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("cases")
    void matchesLikeTheApiServer(String selector, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(PROD_WEB)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void canonicalFormParsesToTheSameMeaning(String selector, boolean expected) {
        String canonical = LabelSelector.parse(selector).toString();
        assertThat(LabelSelector.parse(canonical).matches(PROD_WEB)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"env in (prod", "env)", "=prod", "env=prod,", "-bad=x", "env=va lue", "env in (a,-b)",
            "Upper.Case/name=x", "a/b/c=x", "env=prod,,tier"})
    void rejectsMalformedSelectorsNamingThem(String selector) {
        assertThatThrownBy(() -> LabelSelector.parse(selector))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("selector");
    }
}
