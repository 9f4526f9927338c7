package io.jprune.cli;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Splitter;
import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A user's model class for {@code jprune --classpath CP --class com.acme.Net}: loaded from CP (the
 * bindings come from jprune's own class path, so the model and jprune share them), built by its
 * no-argument constructor or a static factory of any visibility, in any package (the unnamed one
 * included), optionally given the weights of an archive written by {@code
 * module.save(OutputArchive)}, and run by its {@code forward(Tensor)} on a seeded example input of
 * the given shape.
 */
final class UserModel {
  private final Module model;
  private final Method forward;
  private final Tensor input;

  private UserModel(Module model, Method forward, Tensor input) {
    this.model = model;
    this.forward = forward;
    this.input = input;
  }

  /**
   * Loads and builds the model.
   *
   * @param input {@code 1,3,224,224} or {@code 1,16:long} (float by default)
   * @throws IllegalArgumentException naming what could not be found or made
   */
  static UserModel load(
      String classPath, String className, String factory, String input, Path weights, long seed) {
    Class<?> type = loadClass(classPath, className);
    checkArgument(
        Module.class.isAssignableFrom(type), "%s is not an org.bytedeco.pytorch.Module", className);
    torch.manual_seed(seed);
    Module model = (Module) (factory == null ? construct(type) : callFactory(type, factory));
    if (weights != null) {
      checkArgument(Files.isRegularFile(weights), "--weights %s is not a file", weights);
      InputArchive archive = new InputArchive();
      archive.load_from(weights.toString());
      model.load(archive);
    }
    model.eval();
    return new UserModel(model, forwardOf(type), exampleInput(input, seed));
  }

  Module model() {
    return model;
  }

  Tensor input() {
    return input;
  }

  /** The model's {@code forward(input)}. */
  Tensor forward() {
    try {
      return (Tensor) forward.invoke(model, input);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    }
  }

  String name() {
    return model.getClass().getName();
  }

  private static Class<?> loadClass(String classPath, String className) {
    List<URL> urls = new ArrayList<>();
    if (classPath != null) {
      for (String entry : Splitter.on(File.pathSeparatorChar).omitEmptyStrings().split(classPath)) {
        checkArgument(new File(entry).exists(), "--classpath entry %s does not exist", entry);
        try {
          urls.add(new File(entry).toURI().toURL());
        } catch (MalformedURLException e) {
          throw new IllegalArgumentException("--classpath entry " + entry + ": " + e, e);
        }
      }
    }
    ClassLoader loader =
        new URLClassLoader(urls.toArray(URL[]::new), UserModel.class.getClassLoader());
    try {
      return Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          "--class " + className + " is not on --classpath " + classPath, e);
    }
  }

  private static Object construct(Class<?> type) {
    try {
      Constructor<?> c = type.getDeclaredConstructor();
      c.setAccessible(true);
      return c.newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          type.getName()
              + " has no constructor without "
              + "arguments: name a static factory with --factory",
          e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          "new " + type.getName() + "() failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("cannot construct " + type.getName() + ": " + e, e);
    }
  }

  private static Object callFactory(Class<?> type, String name) {
    try {
      Method m = type.getDeclaredMethod(name);
      checkArgument(
          Modifier.isStatic(m.getModifiers()),
          "--factory %s.%s is not static",
          type.getName(),
          name);
      m.setAccessible(true);
      Object made = m.invoke(null);
      checkArgument(
          made instanceof Module,
          "--factory %s.%s() returned %s, not a Module",
          type.getName(),
          name,
          made == null ? "null" : made.getClass().getName());
      return made;
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(type.getName() + " has no static " + name + "()", e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          type.getName() + "." + name + "() failed: " + e.getCause(), e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException("cannot call " + type.getName() + "." + name, e);
    }
  }

  /** {@code forward(Tensor)} declared by the class or a superclass below Module, any access. */
  private static Method forwardOf(Class<?> type) {
    for (Class<?> c = type; c != null && c != Module.class; c = c.getSuperclass()) {
      try {
        Method m = c.getDeclaredMethod("forward", Tensor.class);
        m.setAccessible(true);
        return m;
      } catch (NoSuchMethodException e) {
        // look further up
      }
    }
    throw new IllegalArgumentException(type.getName() + " has no forward(Tensor)");
  }

  private static Tensor exampleInput(String spec, long seed) {
    List<String> parts = Splitter.on(':').splitToList(spec);
    checkArgument(parts.size() <= 2, "--input %s: expected dims[:float|long]", spec);
    String dtype = parts.size() == 2 ? parts.get(1) : "float";
    checkArgument(
        dtype.equals("float") || dtype.equals("long"),
        "--input %s: the type must be float or long, got %s",
        spec,
        dtype);
    List<String> dims = Splitter.on(',').trimResults().splitToList(parts.get(0));
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      try {
        shape[i] = Long.parseLong(dims.get(i));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--input " + spec + ": '" + dims.get(i) + "' is not a dimension", e);
      }
      checkArgument(shape[i] > 0, "--input %s: dimensions must be positive", spec);
    }
    torch.manual_seed(seed);
    // token ids must index an embedding table of unknown size: 0 is always valid
    return dtype.equals("long")
        ? torch.zeros(shape, new TensorOptions(torch.ScalarType.Long))
        : torch.randn(shape);
  }
}
