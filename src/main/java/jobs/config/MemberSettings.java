package jobs.config;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.Comparator;
import java.util.Set;
import jobs.support.InvalidInputException;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Makes every bean see the settings of the fleet member this process works for ({@code kbackup.fleet.member}, which
 * {@code --cluster} sets): one place, so that every command that works for one cluster works for a member, with its
 * restore points, credentials, selection and policy. A fleet that cannot work, or a member whose settings are bad
 * once its overrides are laid over the shared ones, is refused naming the entry.
 */
public final class MemberSettings implements BeanPostProcessor {

    private static final ValidatorFactory VALIDATION = Validation.byDefaultProvider().configure()
            .messageInterpolator(new org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator()).buildValidatorFactory();

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        return bean instanceof KbackupProperties properties ? effective(properties) : bean;
    }

    /** The settings this process works with: the member's view when a member is chosen, checked. */
    public static KbackupProperties effective(KbackupProperties properties) {
        properties.fleet().check();
        String member = properties.member();
        return member == null ? properties : of(properties, member, properties.fleet().target());
    }

    /** Member {@code name}'s view of {@code shared} (restoring to {@code target} when not null), checked. */
    public static KbackupProperties of(KbackupProperties shared, String name, String target) {
        KbackupProperties view = shared.forMember(name, target);
        check(view, shared.fleet(), name);
        if (target != null && !target.equals(name)) {
            check(view, shared.fleet(), target);
        }
        return view;
    }

    private static void check(KbackupProperties view, Fleet fleet, String name) {
        Validator validator = VALIDATION.getValidator();
        Set<ConstraintViolation<KbackupProperties>> violations = validator.validate(view);
        violations.stream().min(Comparator.comparing(v -> v.getPropertyPath().toString())).ifPresent(v -> {
            String what = v.getMessage().startsWith("kbackup.") ? v.getMessage()
                    : "kbackup." + kebab(v.getPropertyPath().toString()) + " " + v.getMessage();
            throw new InvalidInputException("kbackup.fleet.clusters[" + fleet.names().indexOf(name) + "] (" + name + "): " + what);
        });
    }

    /** {@code policy.retentionInRange} as the key a user writes: {@code policy.retention-in-range}. */
    private static String kebab(String path) {
        return path.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
