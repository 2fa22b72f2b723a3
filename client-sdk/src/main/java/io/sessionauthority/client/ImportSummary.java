package io.sessionauthority.client;

import io.sessionauthority.v1.ImportUsersResponse;
import java.util.List;

/**
 * What an import of users did (ImportUsers): users created, users skipped because their username
 * already existed (so sending the same file again resumes an import), requests refused, and the
 * first 1,000 refusals with why.
 */
public record ImportSummary(long imported, long skippedExisting, long refused, List<Refusal> refusals) {

    /** One refused user: its position in what was sent (from 0), its username as sent, and why. */
    public record Refusal(long index, String username, String reason, String message) {
    }

    public ImportSummary {
        refusals = List.copyOf(refusals);
    }

    static ImportSummary of(ImportUsersResponse response) {
        return new ImportSummary(response.getImported(), response.getSkippedExisting(), response.getRefused(),
                response.getRefusalsList().stream()
                        .map(r -> new Refusal(r.getIndex(), r.getUsername(), r.getReason(), r.getMessage())).toList());
    }
}
