package org.experimenter.web;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.PageReads;

/**
 * The failures view: error rows grouped by kind and exception class with counts, each group
 * opening to its rows' whole error text (stack trace, or a command's stderr tail) and attempt
 * history. The grouping reads the error rows through the status index, at most {@link #MAX_SCAN}
 * of them, once per version of the rows.
 */
final class FailuresView {
    static final int MAX_SCAN = 200_000;
    private static final int TEXT_CHARS = 500;
    private static final int MAX_GROUP_PAGE = 50;

    private record Grouping(String version, List<FailureGroups.Group> groups, int scanned) {}

    private final PageReads pages;
    private final Overview overview;
    private Grouping grouping;

    FailuresView(ExperimentStore store, Overview overview) {
        this.pages = store.pages();
        this.overview = overview;
    }

    /** {@code /api/failures}: the groups. */
    void groups(Http h) throws IOException {
        Grouping g = current();
        List<Map<String, Object>> groups = new ArrayList<>();
        for (FailureGroups.Group x : g.groups()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", x.key());
            m.put("kind", x.kind());
            m.put("exception", x.exception());
            m.put("count", x.count());
            m.put("sample", x.sample());
            m.put("firstId", x.ids().get(0));
            groups.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("errorRows", overview.latest().counts().get("error"));
        out.put("scanned", g.scanned());
        out.put("truncated", g.scanned() >= MAX_SCAN);
        out.put("groups", groups);
        h.json(200, out);
    }

    /** {@code /api/failures/rows?key=...&offset=0&limit=10}: rows of one group with their attempts. */
    void rows(Http h) throws IOException {
        String key = h.param("key");
        FailureGroups.Group group = group(key);
        if (group == null) {
            throw new Http.Failure(404, "no failure group " + key + " (the rows may have changed; reload)");
        }
        long offset = h.longParam("offset", 0);
        long limit = Math.min(MAX_GROUP_PAGE, Math.max(1, h.longParam("limit", 10)));
        List<Long> ids = group.ids().subList((int) Math.min(offset, group.ids().size()), (int)
                Math.min(offset + limit, group.ids().size()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> row : pages.rowsByIds(ids)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("row", row);
            m.put("attempts", pages.attemptsOf((Long) row.get("id")));
            rows.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", key);
        out.put("total", group.ids().size());
        out.put("offset", offset);
        out.put("rows", rows);
        h.json(200, out);
    }

    /** The ids of a group as the grouping has it now, or null. */
    List<Long> ids(String key) {
        FailureGroups.Group g = group(key);
        return g == null ? null : g.ids();
    }

    private FailureGroups.Group group(String key) {
        for (FailureGroups.Group g : current().groups()) {
            if (g.key().equals(key)) {
                return g;
            }
        }
        return null;
    }

    private synchronized Grouping current() {
        String version = overview.version();
        if (grouping == null || !grouping.version().equals(version)) {
            List<PageReads.ErrorLine> lines = pages.errorLines(MAX_SCAN, TEXT_CHARS);
            grouping = new Grouping(version, FailureGroups.of(lines), lines.size());
        }
        return grouping;
    }
}
