package org.experimenter.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import org.experimenter.Reproduction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter reproduce}: runs one stored row again alone and compares its results. */
@Command(
        name = "reproduce",
        description = "Run the row with this id again, alone, in this process (as run-one runs a row) with its"
                + " stored keyfield values and the config's custom section, in a scratch table (the stored row is"
                + " not touched); print each result beside the stored one with the difference, and whether the"
                + " code version matches. Exit code 1 when a result differs.")
final class ReproduceCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--id", required = true, description = "The row's id.")
    long id;

    @Option(names = "--json", description = "Print the comparison as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        Reproduction.Result r = ex.reproduce(id, ex.experimentFromConfig());
        boolean same = r.fields().stream().allMatch(Reproduction.Field::same)
                && r.stored().get("status").equals(r.rerun().get("status"));
        String code;
        if (r.codeRecorded()) {
            code = r.codeMatches()
                    ? "code version matches: " + r.storedCodeVersion()
                    : "code version differs: stored " + r.storedCodeVersion() + ", now " + r.rerunCodeVersion();
        } else if (r.storedCodeVersion() != null || r.rerunCodeVersion() != null) {
            code = "code version: stored " + orNot(r.storedCodeVersion()) + ", now " + orNot(r.rerunCodeVersion());
        } else {
            code = "code version not recorded";
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", id);
            out.put("stored_status", r.stored().get("status"));
            out.put("rerun_status", r.rerun().get("status"));
            List<Map<String, Object>> fields = new java.util.ArrayList<>();
            for (Reproduction.Field f : r.fields()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("field", f.name());
                m.put("stored", f.stored());
                m.put("rerun", f.rerun());
                m.put("difference", f.difference());
                m.put("same", f.same());
                fields.add(m);
            }
            out.put("fields", fields);
            out.put("same", same);
            out.put("stored_code_version", r.storedCodeVersion());
            out.put("rerun_code_version", r.rerunCodeVersion());
            System.out.println(JsonLine.of(out));
        } else {
            System.out.println("experiment " + id + " of " + ex.config().table() + ": stored "
                    + r.stored().get("status") + ", rerun " + r.rerun().get("status"));
            int w = "field".length();
            for (Reproduction.Field f : r.fields()) {
                w = Math.max(w, f.name().length());
            }
            System.out.println(String.format(
                    Locale.ROOT, "  %-" + w + "s  %-22s  %-22s  %s", "field", "stored", "rerun", "difference"));
            for (Reproduction.Field f : r.fields()) {
                String diff = f.difference() == null
                        ? (f.same() ? "same" : "differs")
                        : whole(f.stored()) && whole(f.rerun())
                                ? String.format(Locale.ROOT, "%+d", Math.round(f.difference()))
                                : String.format(Locale.ROOT, "%+.6g", f.difference());
                System.out.println(String.format(
                        Locale.ROOT, "  %-" + w + "s  %-22s  %-22s  %s", f.name(), f.stored(), f.rerun(), diff));
            }
            Object error = r.rerun().get("error");
            if (error != null) {
                System.out.println("  rerun error: "
                        + String.valueOf(error).lines().findFirst().orElse(""));
            }
            System.out.println("  " + code);
            System.out.println(same ? "  reproduced: every result is the same" : "  not reproduced: results differ");
        }
        return same ? 0 : 1;
    }

    private static String orNot(String version) {
        return version == null ? "not recorded" : version;
    }

    private static boolean whole(Object v) {
        return v instanceof Integer || v instanceof Long;
    }
}
