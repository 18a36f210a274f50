package org.experimenter.spark;

import java.lang.reflect.Modifier;
import org.experimenter.Experiment;

/**
 * Owns turning a class name into an experiment: loads the class through the thread's context
 * class loader (where spark-submit puts the jars given with --jars), checks that it can serve
 * and creates an instance. Used by the driver for the config's {@code experiment-class} and by
 * the worker for a row's {@code experiment_class}; each words the failure its own way.
 */
public final class ExperimentLoader {
    private ExperimentLoader() {}

    /**
     * A new instance of the named class. Throws {@link NotLoadable} when the class is not on the
     * class path, does not implement {@link Experiment}, is abstract, has no public no-argument
     * constructor, or its constructor fails (the cause).
     */
    public static Experiment load(String name) throws NotLoadable {
        Class<?> cls;
        try {
            cls = Class.forName(name, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new NotLoadable("class " + name + " not found on the class path (add its jar with --jars)", null);
        }
        if (!Experiment.class.isAssignableFrom(cls)) {
            throw new NotLoadable("class " + name + " does not implement " + Experiment.class.getName(), null);
        }
        if (Modifier.isAbstract(cls.getModifiers())) {
            throw new NotLoadable("class " + name + " is abstract", null);
        }
        try {
            return (Experiment) cls.getConstructor().newInstance();
        } catch (NoSuchMethodException ex) {
            throw new NotLoadable("class " + name + " has no public no-argument constructor", null);
        } catch (ReflectiveOperationException | LinkageError ex) {
            Throwable cause = ex.getCause() == null ? ex : ex.getCause();
            throw new NotLoadable("cannot create " + name + ": " + cause, cause);
        }
    }

    /** Why a class cannot serve as an experiment; the message says so in a few words. */
    public static final class NotLoadable extends Exception {
        private static final long serialVersionUID = 1L;

        NotLoadable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
