package org.experimenter.web;

import java.io.IOException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.experimenter.ExperimenterException;
import org.experimenter.Status;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.PageReads;
import org.experimenter.store.Where;

/**
 * The table view: a page of rows with every column, filtered by status and by a condition under
 * the {@code --where} rule (parsed by {@link Where} against the table's columns, so it means
 * what it means to {@code run}, {@code reset} and {@code eval}), sorted by any column, paged on
 * the server.
 */
final class TableView {
    static final int DEFAULT_PAGE = 50;

    private final PageReads pages;
    private final Overview overview;
    private final ExperimentStore store;

    TableView(ExperimentStore store, Overview overview) {
        this.overview = overview;
        this.pages = store.pages();
        this.store = store;
    }

    /** {@code /api/rows?status=error,done&where=...&stage=2&sort=col&dir=desc&offset=0&limit=50}. */
    void rows(Http h) throws IOException {
        Set<Status> statuses = statuses(h.list("status"));
        Where where = where(h.param("where"), h.stage());
        String sort = h.param("sort") == null || h.param("sort").isBlank() ? "id" : h.param("sort");
        if (!pages.columns().contains(sort)) {
            throw new Http.Failure(
                    400, "cannot sort by " + sort + ": no such column; the columns are " + pages.columns());
        }
        boolean desc = "desc".equalsIgnoreCase(h.param("dir"));
        long offset = h.longParam("offset", 0);
        long limit = h.longParam("limit", DEFAULT_PAGE);
        if (limit < 1 || limit > PageReads.MAX_PAGE || offset < 0) {
            throw new Http.Failure(
                    400,
                    "a page holds 1 to " + PageReads.MAX_PAGE + " rows from offset 0 on; got limit " + limit
                            + ", offset " + offset);
        }
        long t0 = System.nanoTime();
        // the whole table's size is the sum of the counts per status of the last look (rows are
        // only added by a fill), which saves a count of a million rows on every page
        Overview.Snapshot look = overview.latest();
        Long total = statuses.isEmpty() && where == null && look.problem() == null ? look.total() : null;
        PageReads.Page p = pages.page(statuses, where, sort, desc, offset, (int) limit, total);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("columns", p.columns());
        out.put("rows", p.rows());
        out.put("total", p.total());
        out.put("offset", offset);
        out.put("limit", limit);
        out.put("sort", sort);
        out.put("dir", desc ? "desc" : "asc");
        out.put("millis", (System.nanoTime() - t0) / 1_000_000);
        h.json(200, out);
    }

    /**
     * A checked --where condition narrowed to a stage (either may be null), or null for none; a
     * bad one is a 400 naming what is wrong.
     */
    Where where(String text, Integer stage) {
        try {
            return store.where(text, stage);
        } catch (ExperimenterException e) {
            throw new Http.Failure(400, e.getMessage());
        }
    }

    static Set<Status> statuses(List<String> names) {
        Set<Status> out = EnumSet.noneOf(Status.class);
        if (names == null) {
            return out;
        }
        for (String n : names) {
            try {
                out.add(Status.parse(n));
            } catch (ExperimenterException e) {
                throw new Http.Failure(400, e.getMessage());
            }
        }
        return out;
    }
}
