package io.jprune.agent;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSet;
import java.util.Set;
import net.bytebuddy.description.type.TypeDescription;

/**
 * Decides which classes are model code whose call sites are rewritten. By default that is every
 * class that can call libtorch ({@link LibtorchReferences}, read from its constant pool), whatever
 * its package, the unnamed one included: the model, its helpers in other packages, the
 * application's {@code main}, lambdas and framework code, so that the root forward and every op are
 * seen. Configured packages restrict this to subclasses of {@code org.bytedeco.pytorch.Module},
 * classes nested in one (anonymous, local, inner, nestmates: they hold the lambdas' and helpers'
 * calls of the model) and the classes of those packages. The JDK, the bindings, ByteBuddy and
 * jprune's runtime are never model code. Immutable: adding packages makes a new policy, so the
 * agent can tell which loaded classes only the new one covers.
 */
final class ModelClassPolicy {
  static final String MODULE = "org.bytedeco.pytorch.Module";

  private final ImmutableSet<String> packages;

  /** Verdicts on loaded classes, computed once per class (sweeps look at every loaded class). */
  private final ClassValue<Boolean> loadedVerdicts =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          return judge(type);
        }
      };

  ModelClassPolicy(Set<String> packages) {
    this.packages = ImmutableSet.copyOf(checkNotNull(packages, "packages"));
  }

  /** The configured packages; empty: the whole application. */
  ImmutableSet<String> packages() {
    return packages;
  }

  /** Whether every class that can call libtorch is covered (no package restriction). */
  boolean wholeApplication() {
    return packages.isEmpty();
  }

  /**
   * This policy plus {@code more} packages: a restriction grows, the whole application stays the
   * whole application, and no packages change nothing.
   */
  ModelClassPolicy withPackages(Set<String> more) {
    if (wholeApplication() || more.isEmpty() || packages.containsAll(more)) {
      return this;
    }
    return new ModelClassPolicy(
        ImmutableSet.<String>builder().addAll(packages).addAll(more).build());
  }

  /**
   * Whether {@code type}, which the transformer's constant-pool check let through, is model code.
   * Under a restriction, a type whose hierarchy cannot be resolved is not (it could not be loaded
   * either), unless its package is configured.
   */
  boolean isModelClass(TypeDescription type) {
    return !NeverInstrumented.covers(type.getName())
        && !type.isAnnotation()
        && (wholeApplication() || modelCodeByHierarchy(type));
  }

  /** A configured package, a Module subclass or a class nested in one. */
  private boolean modelCodeByHierarchy(TypeDescription type) {
    if (inConfiguredPackage(type.getName())) {
      return true;
    }
    try {
      return extendsModule(type) || enclosedInModule(type) || nestedInModule(type);
    } catch (RuntimeException unresolvable) {
      return false;
    }
  }

  /**
   * Whether the loaded class {@code type} is model code that the transformer must have rewritten:
   * the same rules, read from its class file (as the transformer does) and by reflection. Never
   * call this from inside a transformation (reflection may load classes). Arrays, primitives,
   * hidden classes (never shown to transformers) and classes of the bootstrap loader (ignored by
   * the transformer) are not.
   */
  boolean covers(Class<?> type) {
    return loadedVerdicts.get(type);
  }

  private boolean judge(Class<?> type) {
    if (type.isArray()
        || type.isPrimitive()
        || type.isHidden()
        || type.getClassLoader() == null
        || NeverInstrumented.covers(type.getName())) {
      return false;
    }
    byte[] classFile = classFile(type);
    if (classFile != null && !LibtorchReferences.mayCall(classFile)) {
      return false; // the transformer passes it over too
    }
    if (type.isAnnotation()) {
      return false;
    }
    if (wholeApplication() && classFile != null) {
      return true;
    }
    // A restriction, or a class whose bytes its loader does not give (generated at run time):
    // what the hierarchy says, so that unreadable classes of the whole application are not all
    // retransformed on a guess.
    try {
      return modelCodeByHierarchy(TypeDescription.ForLoadedType.of(type));
    } catch (LinkageError unreadable) {
      return inConfiguredPackage(type.getName());
    }
  }

  /** The class file {@code type} was defined from, or null where its loader cannot give it. */
  private static byte[] classFile(Class<?> type) {
    String resource = type.getName().replace('.', '/') + ".class";
    try (java.io.InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (java.io.IOException | RuntimeException unreadable) {
      return null;
    }
  }

  private boolean inConfiguredPackage(String binaryName) {
    for (String p : packages) {
      if (binaryName.startsWith(p)
          && binaryName.length() > p.length()
          && binaryName.charAt(p.length()) == '.') {
        return true;
      }
    }
    return false;
  }

  private static boolean enclosedInModule(TypeDescription type) {
    for (TypeDescription outer = outerOf(type); outer != null; outer = outerOf(outer)) {
      if (extendsModule(outer)) {
        return true;
      }
    }
    return false;
  }

  private static TypeDescription outerOf(TypeDescription type) {
    TypeDescription declaring = type.getDeclaringType();
    return declaring != null ? declaring : type.getEnclosingType();
  }

  private static boolean nestedInModule(TypeDescription type) {
    TypeDescription host = type.getNestHost();
    return !host.equals(type) && extendsModule(host);
  }

  /** Whether {@code type} is a (direct or indirect) subclass of the bindings' Module. */
  static boolean extendsModule(TypeDescription type) {
    TypeDescription.Generic sup = type.getSuperClass();
    while (sup != null) {
      TypeDescription erasure = sup.asErasure();
      String name = erasure.getName();
      if (name.equals(MODULE)) {
        return true;
      }
      if (name.startsWith("java.")) {
        return false;
      }
      sup = erasure.getSuperClass();
    }
    return false;
  }

  @Override
  public String toString() {
    return wholeApplication()
        ? "ModelClassPolicy[every class that calls libtorch]"
        : "ModelClassPolicy[Module subclasses and nested classes, packages " + packages + "]";
  }
}
