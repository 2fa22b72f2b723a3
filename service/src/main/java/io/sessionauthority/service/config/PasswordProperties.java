package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.sessionauthority.service.user.PasswordPolicy;

/**
 * Password hashing ({@code session-authority.passwords.*}).
 *
 * @param bcryptCost     bcrypt work factor, 10 to 31; raising it upgrades each hash at its user's next login
 * @param hashingThreads threads that run bcrypt; 0 means one per core
 * @param hashingQueue   hash jobs that may wait for a thread before logins are shed with RESOURCE_EXHAUSTED
 * @param minLength      shortest accepted password, in characters
 * @param maxLength      longest accepted password, in characters
 * @param idleScheduling run the hashing threads under Linux's SCHED_IDLE (scheduling.IdleScheduling), so
 *                       logins take only the CPU that other calls leave
 * @param nativeBcrypt   run bcrypt in the system's libcrypt where it has one (user.NativeBcrypt), so that a
 *                       hashing thread starved of CPU never holds up the JVM's safepoints
 */
@ConfigurationProperties("session-authority.passwords")
public record PasswordProperties(
        @Bindable(defaultValue = "10") int bcryptCost,
        @Bindable(defaultValue = "0") int hashingThreads,
        @Bindable(defaultValue = "64") int hashingQueue,
        @Bindable(defaultValue = "8") int minLength,
        @Bindable(defaultValue = "256") int maxLength,
        @Bindable(defaultValue = "true") boolean idleScheduling,
        @Bindable(defaultValue = "true") boolean nativeBcrypt) {

    public static final int MIN_BCRYPT_COST = 10;

    public PasswordProperties {
        if (bcryptCost < MIN_BCRYPT_COST || bcryptCost > 31) {
            throw new IllegalArgumentException("session-authority.passwords.bcrypt-cost must be between "
                    + MIN_BCRYPT_COST + " and 31, was " + bcryptCost);
        }
        if (hashingThreads < 0 || hashingQueue < 1) {
            throw new IllegalArgumentException(
                    "session-authority.passwords: hashing-threads must be >= 0 and hashing-queue >= 1");
        }
    }

    /** What a password must be; checks the lengths. */
    public PasswordPolicy policy() {
        return new PasswordPolicy(minLength, maxLength);
    }

    /** The thread count to use: the configured one, or one per core. */
    public int effectiveHashingThreads() {
        return hashingThreads > 0 ? hashingThreads : Runtime.getRuntime().availableProcessors();
    }
}
