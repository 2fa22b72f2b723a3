package io.sessionauthority.service.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.service.audit.AuditLog;
import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.user.UserService;
import io.sessionauthority.v1.ImportRefusal;
import io.sessionauthority.v1.ImportUsersRequest;
import io.sessionauthority.v1.ImportUsersResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One ImportUsers call. At most {@link #IN_FLIGHT} users are being written at once, and the
 * client's next message is asked for only when one is done, so gRPC's flow control keeps the rest of
 * a 100,000-user file in the client, not in this replica's heap. A malformed request is refused on
 * its own and counted; Redis failing ends the call with its status (UNAVAILABLE), and since existing
 * users are skipped, the client resumes by sending the same file again.
 */
final class UserImportStream implements StreamObserver<ImportUsersRequest> {

    static final int IN_FLIGHT = 64;
    static final int MAX_LISTED_REFUSALS = 1000;

    private final UserService users;
    private final AuditLog audit;
    private final String caller;
    private final ServerCallStreamObserver<ImportUsersResponse> response;
    private final AtomicLong imported = new AtomicLong();
    private final AtomicLong skippedExisting = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final List<ImportRefusal> refusals = new ArrayList<>();
    /** Users being written. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean clientDone;
    private volatile Throwable storeFailure;
    /** Only touched by gRPC's serialized calls of onNext. */
    private long index;

    private UserImportStream(UserService users, AuditLog audit, String caller, ServerCallStreamObserver<ImportUsersResponse> response) {
        this.users = users;
        this.audit = audit;
        this.caller = caller;
        this.response = response;
    }

    /** The request observer of a new call; call it from the handler, before it returns. */
    static StreamObserver<ImportUsersRequest> start(UserService users, AuditLog audit, String caller,
                                                    ServerCallStreamObserver<ImportUsersResponse> response) {
        response.disableAutoRequest();
        response.request(IN_FLIGHT);
        return new UserImportStream(users, audit, caller, response);
    }

    @Override
    public void onNext(ImportUsersRequest request) {
        long position = index++;
        if (storeFailure != null || finished.get()) {
            return;
        }
        inFlight.incrementAndGet();
        CompletionStage<UserService.Imported> written;
        try {
            written = users.importUser(request.getUsername(), request.getPasswordHash());
        } catch (InvalidArgumentException invalid) {
            refuse(position, request, invalid);
            settleOne();
            return;
        } catch (RuntimeException unexpected) {
            written = java.util.concurrent.CompletableFuture.failedFuture(unexpected);
        }
        written.whenComplete((outcome, error) -> {
            if (error == null) {
                (outcome == UserService.Imported.CREATED ? imported : skippedExisting).incrementAndGet();
            } else if (Failures.unwrap(error) instanceof InvalidArgumentException invalid) {
                refuse(position, request, invalid);
            } else {
                storeFailure = error;
            }
            settleOne();
        });
    }

    private void refuse(long position, ImportUsersRequest request, InvalidArgumentException why) {
        refused.incrementAndGet();
        synchronized (refusals) {
            if (refusals.size() < MAX_LISTED_REFUSALS) {
                // Shortened: a thousand refusals of megabyte-long usernames must not fill the heap or the answer.
                refusals.add(ImportRefusal.newBuilder().setIndex(position).setUsername(ProtoMapping.shortened(request.getUsername(), 128))
                        .setReason(why.reason()).setMessage(ProtoMapping.shortened(why.getMessage(), 512)).build());
            }
        }
    }

    private void settleOne() {
        inFlight.decrementAndGet();
        if (storeFailure == null && !finished.get()) {
            response.request(1);
        }
        finishIfDone();
    }

    @Override
    public void onError(Throwable clientGone) {
        // The client cancelled or its deadline passed: what was written stays; nobody hears of it.
        if (finished.compareAndSet(false, true)) {
            audit.usersImported(caller, imported.get(), skippedExisting.get(), refused.get(), clientGone);
        }
    }

    @Override
    public void onCompleted() {
        clientDone = true;
        finishIfDone();
    }

    /**
     * Answers once nothing is being written and either the client closed its side or Redis failed
     * (then without waiting for the rest of the stream: it is not read any further).
     */
    private void finishIfDone() {
        if (inFlight.get() != 0 || !(clientDone || storeFailure != null) || !finished.compareAndSet(false, true)) {
            return;
        }
        Throwable failure = storeFailure;
        audit.usersImported(caller, imported.get(), skippedExisting.get(), refused.get(), failure);
        if (failure != null) {
            response.onError(ErrorMapping.toStatus(failure, "ImportUsers"));
            return;
        }
        ImportUsersResponse.Builder summary = ImportUsersResponse.newBuilder().setImported(imported.get())
                .setSkippedExisting(skippedExisting.get()).setRefused(refused.get());
        synchronized (refusals) {
            refusals.stream().sorted(java.util.Comparator.comparingLong(ImportRefusal::getIndex)).forEach(summary::addRefusals);
        }
        response.onNext(summary.build());
        response.onCompleted();
    }
}
