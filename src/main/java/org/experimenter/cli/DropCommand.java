package org.experimenter.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter drop}: drops the experiment table once its name is typed (or with --yes). */
@Command(name = "drop", description = "Drop the experiment table with all its rows.")
final class DropCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--yes", description = "Do not ask.")
    boolean yes;

    @Option(names = "--keep-artifacts", description = "Keep the table's folder under artifacts.root.")
    boolean keepArtifacts;

    @Override
    public Integer call() throws Exception {
        Experimenter ex = common.experimenter();
        String table = ex.config().table();
        if (!yes) {
            System.out.print("Drop table " + table + " and all its rows? Type the table name to confirm: ");
            System.out.flush();
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (answer == null || !answer.trim().equals(table)) {
                System.out.println("not dropped");
                return 1;
            }
        }
        System.out.println(ex.drop(keepArtifacts) ? "dropped " + table : "no table " + table);
        return 0;
    }
}
