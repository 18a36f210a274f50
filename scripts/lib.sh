# Shared by the scripts: where the build puts things, and how to build them once.
root="${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# The application's classes as a plain jar (not the shaded one mvn package makes): the JVM's
# class-data-sharing archives take classes from jars only.
APP_JAR="$root/target/experimenter/spark-experimenter.jar"
CP_FILE="$root/target/runtime-classpath.txt"
FLAGS_FILE="$root/target/spark-jvm-flags.txt"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# Compiles the application (not its tests, no formatting check: what running it needs) and writes
# its class path, when the jar is missing or older than a source.
is_built() {
  [ -f "$APP_JAR" ] && [ -f "$CP_FILE" ] && [ -f "$FLAGS_FILE" ] \
    && [ -z "$(find "$root/src/main" "$root/pom.xml" -newer "$APP_JAR" -print -quit)" ]
}
ensure_built() {
  is_built && return
  # one build at a time: a command started beside a building one waits for it, then uses its jar
  mkdir -p "$root/target"
  exec 8> "$root/target/build.lock"
  flock 8
  if is_built; then
    exec 8>&-
    return
  fi
  echo "building the application jar (first use or sources changed) ..." >&2
  (cd "$root" && mvn -q -B -Dstyle.color=never -Dmaven.test.skip=true -Dspotless.check.skip=true compile \
      dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=compile >&2)
  unsigned_copies
  sqlite_library
  # Spark's JVM flags, a literal property of pom.xml (asking Maven for it costs another Maven start)
  sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$root/pom.xml" | head -n 1 > "$FLAGS_FILE.tmp"
  grep -q -- '^-.*--add-opens' "$FLAGS_FILE.tmp" || { echo "no <spark.jvm.flags> in pom.xml" >&2; exit 1; }
  mv -f "$FLAGS_FILE.tmp" "$FLAGS_FILE"
  mkdir -p "$(dirname "$APP_JAR")"
  jar --create --file "$APP_JAR.tmp" -C "$root/target/classes" .
  mv -f "$APP_JAR.tmp" "$APP_JAR"
  exec 8>&-
}

# Signed jars on the class path (Janino, which compiles Spark SQL's generated code; Bouncy Castle):
# the JVM checks the digest of every class it loads from one, and a class-data-sharing archive
# leaves their classes out. The class path names copies without the signature files instead
# (target/experimenter/unsigned/): a second less CPU time for a small run --eval here
# (docs/performance.md, "Latency of the commands"). Without python3 the jars stay as they are.
unsigned_copies() {
  command -v python3 > /dev/null || return 0
  python3 - "$CP_FILE" "$root/target/experimenter/unsigned" <<'PY'
import os, re, sys, zipfile
cp_file, out = sys.argv[1], sys.argv[2]
signature = re.compile(r"META-INF/[^/]+\.(SF|RSA|DSA|EC)$")

def unsigned(jar):
    """The copy of a signed jar without its signature files; the jar itself when it is not
    signed or cannot be read. Written under a name of this process's own, then renamed, so
    that two builds at once each leave a whole copy."""
    try:
        with zipfile.ZipFile(jar) as z:
            if not any(signature.match(n) for n in z.namelist()):
                return jar
            os.makedirs(out, exist_ok=True)
            copy = os.path.join(out, os.path.basename(jar))
            tmp = "%s.%d.tmp" % (copy, os.getpid())
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as c:
                for i in z.infolist():
                    if not signature.match(i.filename):
                        data = z.read(i)
                        i.compress_type = zipfile.ZIP_STORED  # no compressing again: a second less
                        c.writestr(i, data)
            os.replace(tmp, copy)
            return copy
    except (OSError, zipfile.BadZipFile) as e:
        print("class path: %s stays as it is (%s)" % (jar, e), file=sys.stderr)
        return jar

jars = [unsigned(j) if j.endswith(".jar") and os.path.isfile(j) else j
        for j in open(cp_file).read().strip().split(os.pathsep)]
tmp = "%s.%d.tmp" % (cp_file, os.getpid())
with open(tmp, "w") as f:
    f.write(os.pathsep.join(jars))
os.replace(tmp, cp_file)
PY
}

# SQLite's native library, taken out of the sqlite-jdbc jar once (the folder sqlite-jdbc's own
# OSInfo names for this machine): without it every JVM writes the 1 MB library to /tmp and compares
# it byte by byte with the jar's copy before it opens a database (about 60 ms of CPU per command).
# scripts/experimenter points sqlite-jdbc at it (org.sqlite.lib.path); where it does not load,
# sqlite-jdbc takes its own copy as before.
SQLITE_LIB_DIR="$root/target/experimenter/native"
sqlite_library() {
  local jar folder tmp
  jar="$(tr ':' '\n' < "$CP_FILE" | grep '/sqlite-jdbc-[^/]*\.jar$' | head -n 1)"
  rm -rf "$SQLITE_LIB_DIR"
  [ -n "$jar" ] || return 0
  folder="$(java -cp "$jar" org.sqlite.util.OSInfo 2> /dev/null)" || return 0
  tmp="$(mktemp -d)"
  if (cd "$tmp" && jar xf "$jar" "org/sqlite/native/$folder/libsqlitejdbc.so") \
     && [ -f "$tmp/org/sqlite/native/$folder/libsqlitejdbc.so" ]; then
    mkdir -p "$SQLITE_LIB_DIR"
    mv "$tmp/org/sqlite/native/$folder/libsqlitejdbc.so" "$SQLITE_LIB_DIR/"
  fi
  rm -rf "$tmp"
}

# The fault checks and benchmarks run test experiments (org.experimenter.testing.FaultExperiment).
TEST_CLASSES="$root/target/test-classes"
TEST_JAR="$root/target/faults/test-experiments.jar"
ensure_test_classes() {
  ensure_built
  local marker="$TEST_CLASSES/org/experimenter/testing/FaultExperiment.class"
  if [ ! -f "$marker" ] || [ -n "$(find "$root/src/test" -newer "$marker" -print -quit)" ]; then
    echo "compiling the test experiments ..." >&2
    (cd "$root" && mvn -q -B test-compile >&2)
  fi
  mkdir -p "$(dirname "$TEST_JAR")"
  # for spark-submit --jars: the executors of a standalone cluster load the experiment from it
  (cd "$TEST_CLASSES" && jar cf "$TEST_JAR" org/experimenter/testing)
}

# java with Spark's flags, the application, its dependencies and the test experiments
test_java() {
  # shellcheck disable=SC2046
  java $(cat "$FLAGS_FILE") -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
    -cp "$TEST_CLASSES:$APP_JAR:$(cat "$CP_FILE")" "$@"
}
