package io.sessionauthority.service.audit;

import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.session.SessionLimitReachedException;
import io.sessionauthority.service.error.ThrottledException;
import io.sessionauthority.service.session.SessionService;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one line per security event, in logfmt ({@code key=value}) and as the same
 * key-value pairs (JSON fields with {@code LOG_FORMAT=json}), on its own logger
 * {@value #LOGGER} so it can be routed and kept apart from diagnostics. Who asked (the calling
 * service), for whom, which session, and why. Never a token, a password or a hash: callers pass
 * none, and values are quoted and stripped of control characters so no input can forge a line.
 */
public final class AuditLog implements io.sessionauthority.service.session.TokenEvents {

    public static final String LOGGER = "session-authority.audit";
    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
    private static final int MAX_VALUE = 128;

    private final byte[] nameKey = new byte[32];

    public AuditLog() {
        new SecureRandom().nextBytes(nameKey);
    }

    /**
     * A login attempt and its outcome. A failed attempt names its user only when the username was a
     * real one; otherwise (unknown name, or refused before the lookup) it records a
     * {@linkplain #nameReference reference} of the name, never the name: people type passwords
     * into username fields.
     */
    public void login(String caller, String presentedUsername, String clientIp, SessionService.Started started, Throwable error) {
        if (error == null) {
            write("login.success", caller, "user_id", started.session().userId(), "session_id", started.session().sessionId(),
                    "username", started.session().username(), "client_ip", started.session().client().ipAddress());
            return;
        }
        Throwable cause = Failures.unwrap(error);
        if (cause instanceof InvalidCredentialsException invalid) {
            write("login.failure", caller, "user_id", invalid.userId().orElse(""),
                    "username_ref", invalid.userId().isPresent() ? "" : nameReference(presentedUsername),
                    "client_ip", clientIp, "reason", "INVALID_CREDENTIALS");
        } else if (cause instanceof ThrottledException throttled) {
            write("login.locked", caller, "username_ref", nameReference(presentedUsername), "client_ip", clientIp,
                    "retry_after_s", Long.toString(throttled.retryAfter().toSeconds()));
        } else if (cause instanceof SessionLimitReachedException limit) {
            // The password was right: the user is known, and so may be named.
            write("login.session_limit", caller, "user_id", limit.userId(),
                    "client_ip", clientIp, "max_sessions", Integer.toString(limit.maxSessions()));
        }
    }

    /**
     * A short keyed digest of a presented username: equal names give equal references for the life
     * of this process, so a guessing campaign shows up in the trail, yet the reference cannot be
     * reversed or checked against a guessed password (the key is random and never leaves memory).
     */
    String nameReference(String presented) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(nameKey, "HmacSHA256"));
            byte[] digest = mac.doFinal(String.valueOf(presented).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    /** Sessions ended by a Revoke. {@code target} says which: a session id, or "all" / "all-but:&lt;sid&gt;". */
    public void revoke(String caller, String how, String userId, String target, Integer count, Throwable error) {
        if (error == null) {
            write("session.revoke", caller, "how", how, "user_id", userId, "target", target, "revoked", String.valueOf(count));
        }
    }

    /** A password change and the sessions it ended. */
    public void passwordChange(String caller, String userId, Integer revoked, Throwable error) {
        if (error == null) {
            write("password.change", caller, "user_id", userId, "revoked", String.valueOf(revoked));
        } else if (Failures.unwrap(error) instanceof InvalidCredentialsException) {
            write("password.change.failure", caller, "user_id", userId, "reason", "INVALID_CREDENTIALS");
        } else if (Failures.unwrap(error) instanceof ThrottledException throttled) {
            write("password.change.locked", caller, "user_id", userId, "retry_after_s", Long.toString(throttled.retryAfter().toSeconds()));
        }
    }

    /**
     * A session's token rotated from generation {@code generation - 1} to {@code generation}; the
     * session keeps its id. Whoever asked is not known here (Refresh, an automatic rotation by
     * Touch, or Envoy's Check): the session is what matters.
     */
    @Override
    public void rotated(String userId, String sessionId, long generation) {
        write("session.token_rotate", "", "user_id", userId, "session_id", sessionId,
                "from_generation", Long.toString(generation - 1), "to_generation", Long.toString(generation));
    }

    /** A replaced token presented after its grace: the session ended (TOKEN_REUSE). A theft, or a client that lost a rotation. */
    @Override
    public void reused(String userId, String sessionId, long generation) {
        write("session.token_reuse", "", "user_id", userId, "session_id", sessionId,
                "current_generation", Long.toString(generation), "outcome", "session ended");
    }

    /** A step-up with a second factor, and how it ended (a wrong or replayed code is a failure, as a wrong password is). */
    public void stepUp(String caller, io.sessionauthority.service.session.SessionCheck check, int recoveryCodesLeft, Throwable error) {
        if (error == null) {
            if (check != null && check.isLive()) {
                write("session.step_up", caller, "user_id", check.session().userId(), "session_id", check.session().sessionId(),
                        "aal", Integer.toString(check.session().authentication().level()),
                        "recovery_codes_left", recoveryCodesLeft > 0 ? Integer.toString(recoveryCodesLeft) : "");
            }
            return;
        }
        Throwable cause = Failures.unwrap(error);
        if (cause instanceof InvalidCredentialsException invalid) {
            write("session.step_up.failure", caller, "user_id", invalid.userId().orElse(""), "reason", invalid.reason());
        } else if (cause instanceof ThrottledException throttled) {
            write("session.step_up.locked", caller, "retry_after_s", Long.toString(throttled.retryAfter().toSeconds()));
        }
    }

    /** A TOTP factor confirmed (now active). */
    public void secondFactorConfirmed(String caller, io.sessionauthority.service.session.SessionCheck check, Throwable error) {
        if (error == null && check != null && check.isLive()) {
            write("second_factor.enable", caller, "user_id", check.session().userId(), "session_id", check.session().sessionId());
        }
    }

    /** A second factor removed, and the sessions that ended with it. */
    public void secondFactorDisabled(String caller, String userId, Integer revoked, Throwable error) {
        if (error == null) {
            write("second_factor.disable", caller, "user_id", userId, "revoked", String.valueOf(revoked));
        }
    }

    /** A user created. */
    public void userCreated(String caller, String userId, String username, Throwable error) {
        if (error == null) {
            write("user.create", caller, "user_id", userId, "username", username);
        }
    }

    /** One line per ImportUsers stream: the users are many, and each is in Redis to read. */
    public void usersImported(String caller, long imported, long skippedExisting, long refused, Throwable error) {
        write("users.import", caller, "imported", Long.toString(imported), "skipped_existing", Long.toString(skippedExisting),
                "refused", Long.toString(refused), "outcome", error == null ? "completed" : "ended early: " + Failures.unwrap(error).getClass().getSimpleName());
    }

    private static void write(String event, String caller, String... pairs) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("event", event);
        if (!caller.isEmpty()) {
            fields.put("caller", caller); // not known to events the domain reports (a rotation, a reuse)
        }
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null && !pairs[i + 1].isEmpty()) {
                fields.put(pairs[i], pairs[i + 1]);
            }
        }
        // The logfmt line for people and text logs; the same fields as key-value pairs, which a JSON
        // log (LOG_FORMAT=json) writes as JSON fields, for machines.
        StringBuilder line = new StringBuilder();
        org.slf4j.spi.LoggingEventBuilder structured = AUDIT.atInfo();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            line.append(line.length() == 0 ? "" : " ").append(field.getKey()).append('=').append(quote(field.getValue()));
            structured = structured.addKeyValue(field.getKey(), sanitize(field.getValue()));
        }
        structured.log(line.toString());
    }


    /** Control characters (and line and paragraph separators) replaced, the length bounded: one event, one line. */
    static String sanitize(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && i < MAX_VALUE; i++) {
            char c = value.charAt(i);
            boolean control = Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR;
            out.append(control ? '?' : c);
        }
        if (value.length() > MAX_VALUE) {
            out.append("…");
        }
        return out.toString();
    }

    /** The sanitized value, quoted when needed with quotes and backslashes escaped: a logfmt value. */
    static String quote(String value) {
        String clean = sanitize(value);
        boolean needsQuotes = clean.isEmpty() || !clean.equals(value);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < clean.length(); i++) {
            char c = clean.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
                needsQuotes = true;
            } else if (c == ' ' || c == '=') {
                needsQuotes = true;
            }
            out.append(c);
        }
        return needsQuotes ? "\"" + out + "\"" : out.toString();
    }
}
