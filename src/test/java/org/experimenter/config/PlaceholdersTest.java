package org.experimenter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {
    private static final Map<String, String> VALUES =
            Map.of("kernel", "rbf", "seed", "3", "name", "it's a b", "id", "7");
    private static final List<String> ARGS = List.of("--kernel=rbf", "--seed=3", "--name=it's a b");

    @Test
    void placeholdersAreReplacedInsideArgumentsAndArgsBecomesOneArgumentPerKeyfield() {
        assertEquals(
                List.of(
                        "python3",
                        "train.py",
                        "--kernel",
                        "rbf",
                        "--out=run-7-3.json",
                        "--kernel=rbf",
                        "--seed=3",
                        "--name=it's a b"),
                Placeholders.expand(
                        List.of("python3", "train.py", "--kernel", "{kernel}", "--out=run-{id}-{seed}.json", "{args}"),
                        false,
                        VALUES,
                        ARGS,
                        List.of("kernel", "seed", "name")));
    }

    @Test
    void doubledBracesAreLiteralAndBracesAroundNoIdentifierStayAsTheyAre() {
        assertEquals(
                List.of("python3", "-c", "print({'k': 'rbf'}, {seed}, {})"),
                Placeholders.expand(
                        List.of("python3", "-c", "print({'k': '{kernel}'}, {{seed}}, {})"),
                        false,
                        VALUES,
                        ARGS,
                        List.of("kernel", "seed", "name")));
    }

    @Test
    void withAShellTheElementsAreOneScriptThatRefersToVariablesAndHoldsNoValue() {
        assertEquals(
                List.of(
                        "/bin/sh",
                        "-c",
                        "python3 train.py --name \"${EXPERIMENTER_P_name}\" --seed \"${EXPERIMENTER_P_seed}\""
                                + " --kernel=\"${EXPERIMENTER_P_kernel}\" --seed=\"${EXPERIMENTER_P_seed}\""
                                + " --name=\"${EXPERIMENTER_P_name}\" | tee out.txt"),
                Placeholders.expand(
                        List.of("python3 train.py --name {name} --seed {seed}", "{args}", "| tee out.txt"),
                        true,
                        VALUES,
                        ARGS,
                        List.of("kernel", "seed", "name")));
        assertEquals(
                Map.of(
                        "EXPERIMENTER_P_kernel",
                        "rbf",
                        "EXPERIMENTER_P_seed",
                        "3",
                        "EXPERIMENTER_P_name",
                        "it's a b",
                        "EXPERIMENTER_P_id",
                        "7"),
                Placeholders.variables(VALUES));
    }

    @Test
    void inDoubleQuotesAPlaceholderIsABareReferenceAndAnEscapedOrCommentedQuoteOpensNothing() {
        assertEquals(
                "echo \"training ${EXPERIMENTER_P_name} (\\\"${EXPERIMENTER_P_seed}\\\")\" \\' \"${EXPERIMENTER_P_id}\""
                        + " # it's\n echo \"${EXPERIMENTER_P_seed}\"",
                Placeholders.shellScript(
                                List.of("echo \"training {name} (\\\"{seed}\\\")\" \\' {id} # it's\n echo {seed}"),
                                List.of("name", "seed"))
                        .text());
    }

    @Test
    void aValueInsideArithmeticRunsOnlyWhenItIsANumber() {
        // bash (the /bin/sh of many clusters) evaluates a[$(touch x)] there, and runs touch
        Map<String, String> scripts = Map.of(
                "echo $(( {name} + 1 ))", "echo $(( ${EXPERIMENTER_P_name} + 1 ))",
                "(( {name} > 2 )) && echo big", "(( ${EXPERIMENTER_P_name} > 2 )) && echo big",
                "echo \"$((2*{name}))\"", "echo \"$((2*${EXPERIMENTER_P_name}))\"");
        for (Map.Entry<String, String> t : scripts.entrySet()) {
            org.experimenter.ExperimenterException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.experimenter.ExperimenterException.class,
                    () -> Placeholders.expand(
                            List.of(t.getKey()), true, Map.of("name", "a[$(touch x)]"), List.of(), List.of("name")),
                    t.getKey());
            assertEquals(
                    "the command's {name} stands inside (( )) or $(( )), where the shell reads its value as arithmetic"
                            + " (bash runs the $(...) of an array index: a[$(command)]), and it is no number:"
                            + " 'a[$(touch x)]'; nothing was run",
                    e.getMessage());
            assertEquals(
                    List.of("/bin/sh", "-c", t.getValue()),
                    Placeholders.expand(List.of(t.getKey()), true, Map.of("name", "-3.5"), List.of(), List.of("name")));
        }
        // a subshell, a command substitution and a closed arithmetic expansion are no arithmetic: any value
        assertEquals(
                "(cd /tmp && echo \"${EXPERIMENTER_P_name}\") $(echo \"${EXPERIMENTER_P_name}\") $((1 + 2))"
                        + " \"${EXPERIMENTER_P_name}\"",
                Placeholders.expand(
                                List.of("(cd /tmp && echo {name}) $(echo {name}) $((1 + 2)) {name}"),
                                true,
                                Map.of("name", "a[$(touch x)]"),
                                List.of(),
                                List.of("name"))
                        .get(2));
    }

    @Test
    void aPlaceholderInsideSingleQuotesIsRefusedNamingTheElement() {
        Placeholders.Script s = Placeholders.shellScript(List.of("echo", "'seed {seed}'"), List.of("seed"));
        assertNull(s.text());
        assertEquals(
                "element 2 \"'seed {seed}'\": {seed} is inside single quotes, where the shell expands nothing;"
                        + " put it outside them or inside double quotes (its value is in $EXPERIMENTER_P_seed)",
                s.problem());
        assertEquals(
                "element 3 \"{args}'\": {args} is inside single quotes, where the shell expands nothing;"
                        + " put it outside them or inside double quotes (its value is in $EXPERIMENTER_P_args)",
                Placeholders.shellScript(List.of("echo", "'a", "{args}'"), List.of("seed"))
                        .problem());
    }

    @Test
    void anUnknownPlaceholderIsNamedWithTheKeyfieldsAndMacros() {
        String m = Placeholders.check("--seed={sed}", Set.of("seed", "kernel"), false);
        assertEquals(
                "unknown placeholder {sed}; the keyfields are [kernel, seed], the macros {args}, {id}, {attempt},"
                        + " {scratch_dir}, {params_file}, {result_file}, {events_file} (write {{ and }} for literal braces)",
                m);
        assertNull(Placeholders.check("--seed={seed}", Set.of("seed"), false));
        assertNull(Placeholders.check("{{sed}}", Set.of("seed"), false));
    }

    @Test
    void argsInsideALongerArgumentIsRefusedWithoutAShell() {
        assertEquals(
                "{args} expands to several arguments and must be a list element of its own",
                Placeholders.check("--all={args}", Set.of("seed"), false));
        assertNull(Placeholders.check("train.py {args}", Set.of("seed"), true));
    }
}
