package io.jprune.agent;

import static com.google.common.base.Preconditions.checkState;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whole-application recording for {@code trace=}/{@code dot=}: arms {@code
 * io.jprune.tracer.AgentRecording} and writes its trace from a shutdown hook. Reached only by
 * reflection, so that premain links no libtorch class (the recorder's types refer to them) and the
 * JVM starts as fast as without tracing.
 */
final class RecordingHook {
  private static final String RECORDING = "io.jprune.tracer.AgentRecording";
  private static AgentConfig armed;

  private RecordingHook() {}

  /**
   * Arms recording once per JVM for the files of {@code config}.
   *
   * @throws IllegalStateException when already armed for other files
   */
  static synchronized void arm(AgentConfig config, InstrumentationLog log) {
    if (armed != null) {
      checkState(
          armed.traceFile().equals(config.traceFile()) && armed.dotFile().equals(config.dotFile()),
          "jprune recording is already armed for trace=%s dot=%s; cannot switch to trace=%s dot=%s",
          armed.traceFile().orElse(null),
          armed.dotFile().orElse(null),
          config.traceFile().orElse(null),
          config.dotFile().orElse(null));
      return;
    }
    Class<?> recording = recordingClass();
    invoke(recording, "start");
    armed = config;
    log.note(
        "recording; at exit the trace goes to "
            + config.traceFile().map(Path::toString).orElse("-")
            + ", the DOT to "
            + config.dotFile().map(Path::toString).orElse("-"));
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> write(recording, config, log), "jprune-trace-writer"));
  }

  /**
   * Writes the files at exit. java.util.logging resets its handlers in a shutdown hook of its own,
   * so a message logged here may not show: a file that could not be written also fails this thread,
   * which the JVM reports as an uncaught exception.
   */
  private static void write(Class<?> recording, AgentConfig config, InstrumentationLog log) {
    List<String> problems = new ArrayList<>();
    write(recording, "writeJson", config.traceFile(), log).ifPresent(problems::add);
    write(recording, "writeDot", config.dotFile(), log).ifPresent(problems::add);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("jprune: " + String.join("; ", problems));
    }
  }

  /** Writes one file; what went wrong, if anything. */
  private static Optional<String> write(
      Class<?> recording, String method, Optional<Path> file, InstrumentationLog log) {
    if (file.isEmpty()) {
      return Optional.empty();
    }
    String problem;
    try {
      if ((Boolean) invoke(recording, method, file.get())) {
        log.note("trace written to " + file.get());
        return Optional.empty();
      }
      problem =
          "nothing written to "
              + file.get()
              + ": no top-level module forward was called "
              + "from an instrumented class";
    } catch (RuntimeException e) {
      problem = "could not write " + file.get() + ": " + e;
    }
    log.warn(problem);
    return Optional.of(problem);
  }

  private static Class<?> recordingClass() {
    try {
      return Class.forName(RECORDING, true, RecordingHook.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          RECORDING
              + " is not visible to the agent: is jprune-tracer"
              + " in the agent jar or on the class path?",
          e);
    }
  }

  private static Object invoke(Class<?> recording, String name, Object... args) {
    try {
      Method m =
          args.length == 0 ? recording.getMethod(name) : recording.getMethod(name, Path.class);
      return m.invoke(null, args);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          RECORDING + "." + name + " failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(RECORDING + "." + name + " is missing: " + e, e);
    }
  }
}
