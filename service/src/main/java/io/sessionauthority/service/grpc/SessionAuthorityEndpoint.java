package io.sessionauthority.service.grpc;


import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.service.revocation.Cursors;
import io.sessionauthority.service.audit.AuditLog;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.metrics.ServiceMetrics;
import io.sessionauthority.service.security.Caller;
import io.sessionauthority.service.security.AccessPolicy;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.user.UserService;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.ChangePasswordRequest;
import io.sessionauthority.v1.ChangePasswordResponse;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.CreateUserResponse;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.ListSessionsResponse;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RefreshRequest;
import io.sessionauthority.v1.StepUpRequest;
import io.sessionauthority.v1.StepUpResponse;
import io.sessionauthority.v1.EnrollTotpRequest;
import io.sessionauthority.v1.EnrollTotpResponse;
import io.sessionauthority.v1.ConfirmTotpRequest;
import io.sessionauthority.v1.ConfirmTotpResponse;
import io.sessionauthority.v1.DisableTotpRequest;
import io.sessionauthority.v1.DisableTotpResponse;
import io.sessionauthority.service.secondfactor.SecondFactorService;
import io.sessionauthority.service.session.Requirement;
import io.sessionauthority.v1.RefreshResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.RevokeResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ImportUsersRequest;
import io.sessionauthority.v1.ImportUsersResponse;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import io.sessionauthority.v1.WatchRevocationsRequest;
import io.sessionauthority.v1.WatchRevocationsResponse;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/** The gRPC face of the service: maps each request to a domain call and the answer back. */
@Singleton
public class SessionAuthorityEndpoint implements SessionAuthorityServiceGrpc.AsyncService, io.grpc.BindableService {

    private final UserService users;
    private final SessionService sessions;
    private final AuditLog audit;
    private final ServiceMetrics metrics;
    private final RevocationStreams revocations;
    private final Replies replies;
    private final HotAnswers hotAnswers = new HotAnswers();
    private final SecondFactorService secondFactors;

    public SessionAuthorityEndpoint(UserService users, SessionService sessions, AuditLog audit, ServiceMetrics metrics,
                                    RevocationStreams revocations, Replies replies, SecondFactorService secondFactors) {
        this.secondFactors = secondFactors;
        this.replies = replies;
        this.revocations = revocations;
        this.users = users;
        this.sessions = sessions;
        this.audit = audit;
        this.metrics = metrics;
    }

    /** The contract's service, its errors' detail types resolvable through reflection (see ErrorDetailsInReflection). */
    @Override
    public io.grpc.ServerServiceDefinition bindService() {
        return ErrorDetailsInReflection.add(SessionAuthorityServiceGrpc.bindService(this));
    }

    private static String caller() {
        return CallerAuthInterceptor.currentCaller().name();
    }

    /**
     * Whether the current call's caller still waits for its answer: false once its deadline has
     * passed or it cancelled (gRPC cancels the call's context then), so slow work is skipped.
     */
    private static java.util.function.BooleanSupplier callerWaiting() {
        io.grpc.Context call = io.grpc.Context.current();
        return () -> !call.isCancelled();
    }

    /**
     * {@code audit} run inside this call's trace context, on whichever thread the work completes, so
     * its line carries the call's trace and span ids (see TraceIdsInLogs).
     */
    private static <T> BiConsumer<T, Throwable> inThisCall(BiConsumer<T, Throwable> audit) {
        return io.opentelemetry.context.Context.current().wrapConsumer(audit);
    }

    @Override
    public void createUser(CreateUserRequest request, StreamObserver<CreateUserResponse> observer) {
        String caller = caller();
        replies.reply("CreateUser", observer, () -> users.create(request.getUsername(), request.getPassword(), callerWaiting())
                .whenComplete(inThisCall((user, error) -> audit.userCreated(caller, user == null ? "" : user.id(),
                        user == null ? "" : user.username(), error)))
                .thenApply(user -> CreateUserResponse.newBuilder()
                        .setUserId(user.id())
                        .setUsername(user.username())
                        .build()));
    }

    @Override
    public StreamObserver<ImportUsersRequest> importUsers(StreamObserver<ImportUsersResponse> observer) {
        return UserImportStream.start(users, audit, caller(), (ServerCallStreamObserver<ImportUsersResponse>) observer);
    }

    @Override
    public void login(LoginRequest request, StreamObserver<LoginResponse> observer) {
        String caller = caller();
        replies.reply("Login", observer, () -> sessions.login(request.getUsername(), request.getPassword(),
                        ProtoMapping.client(request.getClient()), request.getAttributesMap(), request.getDeviceToken(),
                        ProtoMapping.sessionLimit(request), callerWaiting())
                .whenComplete(inThisCall((started, error) -> {
                    audit.login(caller, request.getUsername(), request.getClient().getIpAddress(), started, error);
                    metrics.login(error);
                }))
                .thenApply(started -> LoginResponse.newBuilder()
                        .setToken(started.token())
                        .setSession(ProtoMapping.session(started.session()))
                        .setDeviceToken(started.deviceToken())
                        .setSecondFactorRequired(started.session().authentication().pending())
                        .build()));
    }

    @Override
    public void validate(ValidateRequest request, StreamObserver<ValidateResponse> observer) {
        boolean fromStore = request.getSkipCache();
        replies.reply("Validate", observer, () -> {
            Requirement requirement = ProtoMapping.requirement(request.getMinAal(), request.getMinAalValue(), request.hasMaxAuthAge(),
                    request.getMaxAuthAge());
            return sessions.validate(request.getToken(), fromStore, requirement)
                    .thenApply(check -> hotAnswers.validateResponse(check, !fromStore));
        });
    }

    @Override
    public void touch(TouchRequest request, StreamObserver<TouchResponse> observer) {
        Caller caller = CallerAuthInterceptor.currentCaller();
        replies.reply("Touch", observer, () -> {
            if (request.getSetAttributesCount() > 0 || request.getRemoveAttributesCount() > 0) {
                AccessPolicy.require(caller, AccessPolicy.Action.WRITE_ATTRIBUTES);
            }
            return sessions.touch(request.getToken(), request.getSetAttributesMap(), request.getRemoveAttributesList(),
                            request.getRotateIfDue())
                    .thenApply(ProtoMapping::touchResponse);
        });
    }

    @Override
    public void refresh(RefreshRequest request, StreamObserver<RefreshResponse> observer) {
        replies.reply("Refresh", observer, () -> sessions.refresh(request.getToken()).thenApply(ProtoMapping::refreshResponse));
    }

    @Override
    public void stepUp(StepUpRequest request, StreamObserver<StepUpResponse> observer) {
        String caller = caller();
        replies.reply("StepUp", observer, () -> secondFactors.stepUp(request.getToken(), request.getCode(),
                        ProtoMapping.client(request.getClient()))
                .whenComplete(inThisCall((stepped, error) -> audit.stepUp(caller, stepped == null ? null : stepped.check(),
                        stepped == null ? 0 : stepped.recoveryCodesLeft(), error)))
                .thenApply(stepped -> {
                    StepUpResponse.Builder response = StepUpResponse.newBuilder()
                            .setValid(stepped.check().isLive())
                            .setReason(ProtoMapping.reason(stepped.check().status()))
                            .setRecoveryCodesLeft(stepped.recoveryCodesLeft());
                    stepped.check().reason().ifPresent(why -> response.setEndReason(ProtoMapping.endReason(why)));
                    if (stepped.check().isLive()) {
                        response.setSession(ProtoMapping.session(stepped.check().session()));
                        response.setToken(stepped.check().token().newToken());
                        if (stepped.check().token().graceEnd() != null) {
                            response.setPreviousTokenGraceEndTime(ProtoMapping.timestamp(stepped.check().token().graceEnd()));
                        }
                    }
                    return response.build();
                }));
    }

    @Override
    public void enrollTotp(EnrollTotpRequest request, StreamObserver<EnrollTotpResponse> observer) {
        replies.reply("EnrollTotp", observer, () -> secondFactors.enroll(request.getToken(), request.getIssuer())
                .thenApply(enrolment -> EnrollTotpResponse.newBuilder()
                        .setOtpauthUri(enrolment.otpauthUri())
                        .setSecret(enrolment.secret())
                        .build()));
    }

    @Override
    public void confirmTotp(ConfirmTotpRequest request, StreamObserver<ConfirmTotpResponse> observer) {
        String caller = caller();
        replies.reply("ConfirmTotp", observer, () -> secondFactors.confirm(request.getToken(), request.getCode(),
                        ProtoMapping.client(request.getClient()))
                .whenComplete(inThisCall((confirmed, error) -> audit.secondFactorConfirmed(caller,
                        confirmed == null ? null : confirmed.check(), error)))
                .thenApply(confirmed -> ConfirmTotpResponse.newBuilder()
                        .addAllRecoveryCodes(confirmed.recoveryCodes())
                        .setSession(ProtoMapping.session(confirmed.check().session()))
                        .build()));
    }

    @Override
    public void disableTotp(DisableTotpRequest request, StreamObserver<DisableTotpResponse> observer) {
        String caller = caller();
        replies.reply("DisableTotp", observer, () -> secondFactors.disable(request.getUserId())
                .whenComplete(inThisCall((count, error) -> audit.secondFactorDisabled(caller, request.getUserId(), count, error)))
                .thenApply(count -> DisableTotpResponse.newBuilder().setRevokedCount(count).build()));
    }

    @Override
    public void revoke(RevokeRequest request, StreamObserver<RevokeResponse> observer) {
        Caller caller = CallerAuthInterceptor.currentCaller();
        replies.reply("Revoke", observer, () -> revoked(caller, request)
                .thenApply(count -> RevokeResponse.newBuilder().setRevokedCount(count).build()));
    }

    private CompletionStage<Integer> revoked(Caller caller, RevokeRequest request) {
        return switch (request.getTargetCase()) {
            case TOKEN -> sessions.revokeByToken(request.getToken())
                    .whenComplete(inThisCall((count, error) -> audit.revoke(caller.name(), "logout", "", "token", count, error)));
            case SESSION -> {
                AccessPolicy.require(caller, AccessPolicy.Action.REVOKE_ANY_SESSION);
                yield sessions.revoke(request.getSession().getUserId(), request.getSession().getSessionId())
                        .whenComplete(inThisCall((count, error) -> audit.revoke(caller.name(), "session", request.getSession().getUserId(),
                                request.getSession().getSessionId(), count, error)));
            }
            case ALL_SESSIONS -> {
                AccessPolicy.require(caller, AccessPolicy.Action.REVOKE_ANY_SESSION);
                AllSessions all = request.getAllSessions();
                yield sessions.revokeAll(all.getUserId(), all.getExceptSessionId(), all.getKeepDeviceToken())
                        .whenComplete(inThisCall((count, error) -> audit.revoke(caller.name(), "all", all.getUserId(),
                                all.getExceptSessionId().isEmpty() ? "all" : "all-but:" + all.getExceptSessionId(), count, error)));
            }
            case TARGET_NOT_SET -> throw new InvalidArgumentException("target", "set one of token, session or all_sessions");
        };
    }

    @Override
    public void listSessions(ListSessionsRequest request, StreamObserver<ListSessionsResponse> observer) {
        replies.reply("ListSessions", observer, () -> sessions.list(request.getUserId())
                .thenApply(list -> ListSessionsResponse.newBuilder()
                        .addAllSessions(list.stream().map(ProtoMapping::session).toList())
                        .build()));
    }

    @Override
    public void changePassword(ChangePasswordRequest request, StreamObserver<ChangePasswordResponse> observer) {
        String caller = caller();
        replies.reply("ChangePassword", observer, () -> users.changePassword(request.getUserId(), request.getCurrentPassword(),
                        request.getNewPassword(), request.getKeepSessionId(), request.getClient().getIpAddress(),
                        request.getDeviceToken(), callerWaiting())
                .whenComplete(inThisCall((revoked, error) -> audit.passwordChange(caller, request.getUserId(), revoked, error)))
                .thenApply(count -> ChangePasswordResponse.newBuilder().setRevokedCount(count).build()));
    }

    @Override
    public void watchRevocations(WatchRevocationsRequest request, StreamObserver<WatchRevocationsResponse> observer) {
        String cursor = request.getCursor();
        if (!cursor.isEmpty() && !Cursors.isValid(cursor)) {
            observer.onError(ErrorMapping.toStatus(new InvalidArgumentException("cursor",
                    "is not a cursor: pass the cursor of the last message received, or nothing"), "WatchRevocations"));
            return;
        }
        revocations.start((ServerCallStreamObserver<WatchRevocationsResponse>) observer, cursor);
    }
}
