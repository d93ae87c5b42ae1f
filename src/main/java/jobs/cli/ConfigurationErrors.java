package jobs.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.validation.FieldError;

/** Turns Spring's binding failures into one line naming the property and the bad value. */
final class ConfigurationErrors {

    private ConfigurationErrors() {
    }

    static boolean isConfigurationError(Throwable e) {
        return Cli.find(e, BindException.class) != null;
    }

    static String describe(Throwable e) {
        BindValidationException validation = Cli.find(e, BindValidationException.class);
        if (validation != null) {
            String prefix = validation.getValidationErrors().getName().toString();
            return validation.getValidationErrors().getAllErrors().stream().map(error -> {
                // Cross-field checks (@AssertTrue) carry their own message naming the properties.
                if (error instanceof FieldError field && !"AssertTrue".equals(field.getCode())) {
                    return prefix + "." + kebab(field.getField()) + "=" + field.getRejectedValue() + ": "
                            + error.getDefaultMessage();
                }
                return error.getDefaultMessage();
            }).collect(Collectors.joining("; "));
        }
        BindException bind = Cli.find(e, BindException.class);
        if (bind != null) {
            Object value = bind.getProperty() == null ? null : bind.getProperty().getValue();
            Class<?> target = bind.getTarget().getType().resolve();
            String reason = target != null && target.isEnum()
                    ? "must be one of " + Arrays.stream(target.getEnumConstants())
                            .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-'))
                            .collect(Collectors.joining(", "))
                    : root(bind);
            return bind.getName() + "=" + value + ": " + reason;
        }
        return root(e);
    }

    private static String kebab(String field) {
        return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
    }

    private static String root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
