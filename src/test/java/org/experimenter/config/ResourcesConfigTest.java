package org.experimenter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.resource.ExecutorResourceRequest;
import org.apache.spark.resource.ResourceProfile;
import org.experimenter.InvalidConfigException;
import org.experimenter.spark.TaskResources;
import org.junit.jupiter.api.Test;

class ResourcesConfigTest {
    private static final String BASE = "database.table = gpu_conf\nkeyfields { seed { type = int, values = [1] } }\n";

    private static ExperimentConfig parse(String resources) {
        return ExperimentConfig.parse(BASE + resources, "gpu.conf");
    }

    private static String error(String resources) {
        return assertThrows(InvalidConfigException.class, () -> parse(resources))
                .getMessage();
    }

    @Test
    void withoutAResourcesSectionRowsAskSparkForNothing() {
        ResourceSettings r = parse("").resources();
        assertEquals(new Resources(0, 1, 0), r.base());
        assertFalse(r.base().any());
        assertEquals(Map.of(), TaskResources.sparkDefaults(r.base(), "spark://127.0.0.1:7077"));
    }

    @Test
    void gpusAndCpusBecomeSparkTaskRequestsAndMemoryEscalatesInLevels() {
        ResourceSettings r = parse("resources { gpus = 1, cpus = 2, memory = 8g, escalate = [{memory = 16g},"
                        + " {memory = 32g}] }\nmax-attempts = 3\n")
                .resources();
        assertEquals(new Resources(1, 2, 8L << 30), r.base());
        assertEquals("gpus=1 cpus=2 memory=16g", r.level(1).toString());
        assertEquals("gpus=1 cpus=2 memory=32g", r.level(2).toString());
        assertTrue(r.escalates(1));
        assertFalse(r.escalates(2));
        // the rows' GPUs and cores are the run stage's profile: the session asks only that executors have GPUs
        for (String master : List.of("local-cluster[1,4,1024]", "spark://h:7077", "yarn", "k8s://https://h:6443")) {
            assertTrue(TaskResources.profileSupported(master), master);
            assertEquals(
                    Map.of("spark.executor.resource.gpu.amount", "1"), TaskResources.sparkDefaults(r.base(), master));
        }
        // without dynamic allocation: task requests only (a TaskResourceProfile), no executor sized by memory
        ResourceProfile tasksOnly = TaskResources.profile(r.base(), false, "");
        assertEquals(
                "Map(cpus -> name: cpus, amount: 2.0, gpu -> name: gpu, amount: 1.0)",
                tasksOnly.taskResources().toString());
        assertTrue(tasksOnly.executorResourcesJMap().isEmpty(), tasksOnly.toString());
        assertEquals(
                "Map(gpu -> name: gpu, amount: 1.0)",
                TaskResources.profile(new Resources(1, 1, 0), false, "")
                        .taskResources()
                        .toString());
        assertEquals(null, TaskResources.profile(new Resources(0, 1, 8L << 30), false, ""));
        // local mode takes no profile and schedules no GPUs: the cores are every task's; its tasks
        // (eval, sql) must not ask for a GPU, or they wait forever
        assertFalse(TaskResources.profileSupported("local[*]"));
        assertEquals(Map.of("spark.task.cpus", "2"), TaskResources.sparkDefaults(r.base(), "local[*]"));
    }

    @Test
    void withDynamicAllocationTheRunStagesProfileAsksForExecutorsOfTheRowsCoresMemoryAndGpus() {
        // resources { gpus = 1, cpus = 2, memory = 8g }
        ResourceProfile p = TaskResources.profile(new Resources(1, 2, 8L << 30), true, "/opt/gpu-discover");
        Map<String, ExecutorResourceRequest> e = p.executorResourcesJMap();
        assertEquals(8192, e.get("memory").amount(), e.toString());
        assertEquals(2, e.get("cores").amount(), e.toString());
        assertEquals(1, e.get("gpu").amount(), e.toString());
        assertEquals("/opt/gpu-discover", e.get("gpu").discoveryScript());
        assertEquals(
                "Map(cpus -> name: cpus, amount: 2.0, gpu -> name: gpu, amount: 1.0)",
                p.taskResources().toString());
        // memory alone is reason enough for a profile there
        ResourceProfile memoryOnly = TaskResources.profile(new Resources(0, 1, 512L << 20), true, "");
        assertEquals(512, memoryOnly.executorResourcesJMap().get("memory").amount());

        assertTrue(TaskResources.executorProfiles("spark://h:7077", true));
        assertTrue(TaskResources.executorProfiles("yarn", true));
        assertFalse(TaskResources.executorProfiles("yarn", false), "no dynamic allocation: task requests only");
        assertFalse(TaskResources.executorProfiles("local[*]", true), "local mode takes no profile");
    }

    @Test
    void aStageSectionGivesARunOfThatStageItsOwnResourcesTheRestFromTheTopLevel() {
        ExperimentConfig c = parse(
                "resources { cpus = 2, memory = 4g, escalate = [{memory = 8g}] }\n"
                        + "stages { 2 { resources { gpus = 1, memory = 16g, escalate = [] } }, 3 { resources { gpus = 2 } } }\n");
        assertEquals(new Resources(0, 2, 4L << 30), c.resources().base());
        assertEquals(
                "gpus=1 cpus=2 memory=16g", c.forStage(2).resources().base().toString());
        assertEquals(List.of(), c.forStage(2).resources().escalation());
        assertEquals("gpus=2 cpus=2 memory=4g", c.forStage(3).resources().base().toString());
        assertEquals(
                "gpus=2 cpus=2 memory=8g", c.forStage(3).resources().level(1).toString());
        // a stage without a section, and a run of every stage, take the top-level section
        assertTrue(c.forStage(1) == c && c.forStage(null) == c);
        assertEquals(c.table(), c.forStage(2).table());
        assertEquals(
                "gpu.conf: 3: stages.x: a stage is a whole number from 1 (the grid) up, e.g. stages { 2 { resources"
                        + " { gpus = 1 } } }",
                error("stages { x { resources { gpus = 1 } } }"));
        assertEquals(
                "gpu.conf: 3: stages.2.resources.gpus: must be between 0 and 1024, found -1",
                error("stages { 2 { resources { gpus = -1 } } }"));
        assertEquals(
                "gpu.conf: 3: stages.2.resources.gpu: unknown key; did you mean stages.2.resources.gpus?",
                error("stages { 2 { resources { gpu = 1 } } }"));
        assertEquals("gpu.conf: 3: stages.2.gpus: unknown key", error("stages { 2 { gpus = 1 } }"));
        // 02 and 2 are one stage: refused rather than one of them winning unseen
        String twice = error("stages { 2 { resources { gpus = 1 } }, 02 { resources { gpus = 2 } } }");
        assertTrue(twice.startsWith("gpu.conf: 3: stages."), twice);
        assertTrue(twice.contains(": stage 2 is given twice ("), twice);
        assertTrue(twice.endsWith("); give each stage once"), twice);
    }

    @Test
    void mistakesAreOneLineNamingFileLineAndKey() {
        assertEquals(
                "gpu.conf: 3: resources.gpus: must be between 0 and 1024, found -1", error("resources { gpus = -1 }"));
        assertEquals(
                "gpu.conf: 3: resources.gpus: expected a whole number (0 for none), found 0.5",
                error("resources { gpus = 0.5 }"));
        assertEquals(
                "gpu.conf: 3: resources.cpus: must be between 1 and 1024, found 0", error("resources { cpus = 0 }"));
        assertEquals(
                "gpu.conf: 3: resources.memory: expected a size such as 8g or 512m, found \"lots\"",
                error("resources { memory = lots }"));
        assertEquals(
                "gpu.conf: 3: resources.escalate[1].memory: must be larger than the level before (16g), found 8g",
                error("resources { memory = 8g, escalate = [{memory = 16g}, {memory = 8g}] }"));
        assertEquals(
                "gpu.conf: 3: resources.escalate[0].gpus: only memory escalates (GPUs and cores are Spark's task"
                        + " request, the same for every row of a run)",
                error("resources { escalate = [{gpus = 2}] }"));
        assertEquals(
                "gpu.conf: 3: resources.escalate: 2 larger levels need max-attempts of at least 3 (each level is"
                        + " an attempt), found 2",
                error("resources { escalate = [{memory = 1g}, {memory = 2g}] }\nmax-attempts = 2"));
        assertEquals(
                "gpu.conf: 3: resources.gpu: unknown key; did you mean resources.gpus?",
                error("resources { gpu = 1 }"));
        for (String e : List.of(error("resources { gpus = -1 }"), error("resources { memory = lots }"))) {
            assertFalse(e.contains("\n"), e);
        }
    }
}
