package io.jprune.agent;

import static com.google.common.base.Preconditions.checkState;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whole-application recording for {@code trace=}/{@code dot=}: arms
 * {@code io.jprune.tracer.AgentRecording} and writes its trace from a shutdown hook. Reached only
 * by reflection, so that premain links no libtorch class (the recorder's types refer to them) and
 * the JVM starts as fast as without tracing.
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
  static synchronized void arm(AgentConfig config, PrintStream log) {
    if (armed != null) {
      checkState(armed.traceFile().equals(config.traceFile())
              && armed.dotFile().equals(config.dotFile()),
          "jprune recording is already armed for trace=%s dot=%s; cannot switch to trace=%s dot=%s",
          armed.traceFile().orElse(null), armed.dotFile().orElse(null),
          config.traceFile().orElse(null), config.dotFile().orElse(null));
      return;
    }
    Class<?> recording = recordingClass();
    invoke(recording, "start");
    armed = config;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> write(recording, config, log),
        "jprune-trace-writer"));
  }

  private static void write(Class<?> recording, AgentConfig config, PrintStream log) {
    write(recording, "writeJson", config.traceFile(), log);
    write(recording, "writeDot", config.dotFile(), log);
  }

  private static void write(Class<?> recording, String method, Optional<Path> file,
      PrintStream log) {
    if (file.isEmpty()) {
      return;
    }
    try {
      boolean written = (Boolean) invoke(recording, method, file.get());
      log.println(written ? "[jprune] trace written to " + file.get()
          : "[jprune] nothing written to " + file.get() + ": no top-level module forward was"
              + " called from an instrumented class");
    } catch (RuntimeException e) {
      log.println("[jprune] could not write " + file.get() + ": " + e);
    }
  }

  private static Class<?> recordingClass() {
    try {
      return Class.forName(RECORDING, true, RecordingHook.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(RECORDING + " is not visible to the agent: is jprune-tracer"
          + " in the agent jar or on the class path?", e);
    }
  }

  private static Object invoke(Class<?> recording, String name, Object... args) {
    try {
      Method m = args.length == 0 ? recording.getMethod(name)
          : recording.getMethod(name, Path.class);
      return m.invoke(null, args);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(RECORDING + "." + name + " failed: " + e.getCause(),
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(RECORDING + "." + name + " is missing: " + e, e);
    }
  }
}
