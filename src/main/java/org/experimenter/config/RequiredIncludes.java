package org.experimenter.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;

/**
 * Includes that must be there. HOCON passes over an include it cannot find without a word, so a
 * config whose {@code include file("../conf/example.conf")} names nothing (a relative path in
 * {@code file()} is taken from the working folder, not from the including file) went on without
 * the settings it meant to include and failed later on a missing key, or not at all. Here every
 * include is {@code required(...)}: one that names nothing is an error that names it, the path
 * it looked at and the rule.
 */
final class RequiredIncludes implements ConfigIncluder, ConfigIncluderFile {
    private final String origin;
    private final ConfigIncluder fallback;

    RequiredIncludes(String origin) {
        this(origin, null);
    }

    private RequiredIncludes(String origin, ConfigIncluder fallback) {
        this.origin = origin;
        this.fallback = fallback;
    }

    /** Parse options that read a config with these includes; origin names it in errors. */
    static ConfigParseOptions options(String origin) {
        return ConfigParseOptions.defaults().setOriginDescription(origin).setIncluder(new RequiredIncludes(origin));
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder other) {
        return other == fallback ? this : new RequiredIncludes(origin, other);
    }

    /** {@code include "name"}: found beside the including file (HOCON's rule), and required. */
    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        try {
            return fallback.include(required(context), what);
        } catch (ConfigException.IO e) {
            throw new ConfigException.Generic(
                    origin + ": include \"" + what + "\": found no such file beside the including file ("
                            + e.getMessage() + ")",
                    e);
        }
    }

    /** {@code include file("path")}: a relative path is taken from the working folder (HOCON's rule), and required. */
    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        File absolute = what.getAbsoluteFile();
        if (!absolute.isFile()) {
            throw new ConfigException.Generic(origin + ": include file(\"" + what + "\"): no such file " + absolute
                    + (what.isAbsolute()
                            ? ""
                            : " (a relative path in file() is taken from the working folder, "
                                    + new File("").getAbsolutePath()
                                    + "; include \"name.conf\" takes it from the including file's folder)"));
        }
        return ConfigFactory.parseFileAnySyntax(absolute, required(context).parseOptions())
                .root();
    }

    private static ConfigIncludeContext required(ConfigIncludeContext context) {
        return context.setParseOptions(context.parseOptions().setAllowMissing(false));
    }
}
