package org.experimenter.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.logging.Logger;
import org.experimenter.Status;
import org.experimenter.store.ExperimentStore;

/**
 * The actions, off unless {@code serve --allow-actions}: reset rows (chosen ones, a failure
 * group, or every row of some statuses) and unpause rows. Each is a POST that {@link Access}
 * checks for the CSRF token, and each is logged with what it did and for whom. Running rows are
 * never reset from the page: their run still holds them ({@code recover} is for lost ones).
 */
final class Actions {
    private static final Logger LOG = Logger.getLogger(Actions.class.getName());
    /** The most ids one action names. */
    static final int MAX_IDS = 10_000;

    private static final int CHUNK = 1000;

    private final boolean allowed;
    private final Access access;
    private final ExperimentStore store;
    private final FailuresView failures;
    private final Overview overview;

    Actions(boolean allowed, Access access, ExperimentStore store, FailuresView failures, Overview overview) {
        this.allowed = allowed;
        this.access = access;
        this.store = store;
        this.failures = failures;
        this.overview = overview;
    }

    /**
     * {@code POST /api/actions/reset} with {@code {"ids": [...]}}, {@code {"group": key}} or
     * {@code {"statuses": [...]}}.
     */
    void reset(Http h) throws IOException {
        JsonNode body = admit(h);
        String what;
        List<String> conditions = new ArrayList<>();
        int n = 0;
        if (body.has("statuses")) {
            Set<Status> statuses = EnumSet.noneOf(Status.class);
            for (JsonNode s : body.get("statuses")) {
                statuses.addAll(TableView.statuses(List.of(s.asText())));
            }
            if (statuses.isEmpty() || statuses.contains(Status.RUNNING)) {
                throw new Http.Failure(400, "reset from the page takes statuses other than running");
            }
            StringJoiner in = new StringJoiner(", ", "status IN (", ")");
            statuses.forEach(s -> in.add("'" + s.dbName() + "'"));
            conditions.add(in.toString());
            what = "every row " + statuses.toString().toLowerCase(java.util.Locale.ROOT);
        } else if (body.has("group")) {
            List<Long> ids = failures.ids(body.get("group").asText());
            if (ids == null) {
                throw new Http.Failure(
                        404, "no failure group " + body.get("group").asText() + "; reload");
            }
            // the grouping is as old as the last look: only rows still failed are reset, one
            // that finished since keeps its result
            n = store.admin().resetIds(ids, Status.ERROR);
            what = "failure group " + body.get("group").asText();
        } else {
            List<Long> ids = ids(body);
            what = "ids " + preview(ids);
            // statements of a bounded length however many ids
            for (int i = 0; i < ids.size(); i += CHUNK) {
                conditions.add("id IN (" + join(ids.subList(i, Math.min(ids.size(), i + CHUNK))) + ")");
            }
        }
        for (String condition : conditions) {
            // through the --where rule, the same as reset --where on the command line
            n += store.admin().resetWhere(store.where(condition + " AND status <> 'running'"));
        }
        LOG.info("web action from " + remote(h) + ": reset " + n + (n == 1 ? " row" : " rows") + " of " + store.table()
                + " (" + what + ")");
        overview.lookNow();
        h.json(200, Map.of("reset", n));
    }

    /** {@code POST /api/actions/unpause} with {@code {"ids": [...]}}, or {@code {}} for every paused row. */
    void unpause(Http h) throws IOException {
        JsonNode body = admit(h);
        List<Long> ids = body.has("ids") ? ids(body) : List.of();
        int n = store.admin().unpause(ids, null);
        LOG.info("web action from " + remote(h) + ": unpaused " + n + (n == 1 ? " row" : " rows") + " of "
                + store.table() + (ids.isEmpty() ? " (every paused row)" : " (ids " + preview(ids) + ")"));
        overview.lookNow();
        h.json(200, Map.of("unpaused", n));
    }

    private JsonNode admit(Http h) throws IOException {
        if (!h.method().equals("POST")) {
            throw new Http.Failure(405, "an action is a POST");
        }
        if (!allowed) {
            throw new Http.Failure(
                    403, "refused: actions are off; start serve with --allow-actions to reset or unpause");
        }
        access.checkAction(h);
        JsonNode body = Json.parse(h.body());
        if (body == null || !body.isObject()) {
            throw new Http.Failure(400, "an action's body is a JSON object");
        }
        return body;
    }

    private List<Long> ids(JsonNode body) {
        JsonNode a = body.get("ids");
        if (a == null || !a.isArray() || a.isEmpty()) {
            throw new Http.Failure(400, "ids: give a list of row ids");
        }
        if (a.size() > MAX_IDS) {
            throw new Http.Failure(400, "ids: at most " + MAX_IDS + " in one action");
        }
        List<Long> ids = new ArrayList<>();
        for (JsonNode n : a) {
            if (!n.canConvertToLong() || !n.isIntegralNumber()) {
                throw new Http.Failure(400, "ids: " + n + " is not a row id");
            }
            ids.add(n.asLong());
        }
        List<Long> missing = store.admin().missingIds(ids);
        if (!missing.isEmpty()) {
            throw new Http.Failure(404, "table " + store.table() + " has no rows with ids " + preview(missing));
        }
        return ids;
    }

    private static String join(List<Long> ids) {
        StringJoiner j = new StringJoiner(", ");
        ids.forEach(i -> j.add(Long.toString(i)));
        return j.toString();
    }

    private static String preview(List<Long> ids) {
        List<Long> first = ids.size() > 10 ? ids.subList(0, 10) : ids;
        return join(first) + (ids.size() > 10 ? ", ... (" + ids.size() + " in all)" : "");
    }

    private static String remote(Http h) {
        return h.exchange.getRemoteAddress().getAddress().getHostAddress();
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allowed", allowed);
        m.put("csrf", allowed ? access.csrf() : null);
        return m;
    }
}
