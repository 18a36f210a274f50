package org.experimenter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.experimenter.store.PageReads.ErrorLine;
import org.junit.jupiter.api.Test;

/** How error texts are told apart: by the class a stack trace or a traceback names. */
class FailureGroupsTest {
    @Test
    void aJavaStackTraceIsGroupedByItsExceptionClass() {
        assertEquals(
                "java.lang.IllegalStateException",
                FailureGroups.exceptionClass("java.lang.IllegalStateException: bad k 3\n\tat a.B.run(B.java:1)", null));
        assertEquals(
                "java.lang.OutOfMemoryError",
                FailureGroups.exceptionClass(
                        "Exception in thread \"x\" java.lang.OutOfMemoryError: Java heap space", null));
        assertEquals(
                "org.example.Boom", FailureGroups.exceptionClass("org.example.Boom\n\tat a.B.run(B.java:1)", null));
    }

    @Test
    void aPythonTracebackIsGroupedByItsLastLine() {
        String start = "exit code 1; stderr (last 64 KB):\nTraceback (most recent call last):\n  File \"train.py\"";
        String end = "  File \"train.py\", line 9, in <module>\n    fit()\nValueError: bad kernel 'x'\n";
        assertEquals("ValueError", FailureGroups.exceptionClass(start, end));
    }

    @Test
    void otherTextIsGroupedByItsFirstLineUpToAColon() {
        assertEquals("timed out after 30s", FailureGroups.exceptionClass("timed out after 30s", null));
        assertEquals("lost", FailureGroups.exceptionClass("lost: no heartbeat from executor 3 since 12:00", null));
        assertEquals("", FailureGroups.exceptionClass(null, null));
        assertEquals(81, FailureGroups.exceptionClass("x".repeat(200), null).length(), "cut at 80 with an ellipsis");
    }

    @Test
    void groupsAreByKindAndClassLargestFirst() {
        List<FailureGroups.Group> g = FailureGroups.of(List.of(
                new ErrorLine(1, "exception", "java.lang.IllegalStateException: a", null),
                new ErrorLine(2, "timeout", "timed out after 1s", null),
                new ErrorLine(3, "exception", "java.lang.IllegalStateException: b", null),
                new ErrorLine(4, "exception", "java.lang.IllegalArgumentException: c", null)));
        assertEquals(3, g.size());
        assertEquals("exception|java.lang.IllegalStateException", g.get(0).key());
        assertEquals(List.of(1L, 3L), g.get(0).ids());
        assertEquals("java.lang.IllegalStateException: a", g.get(0).sample());
    }
}
