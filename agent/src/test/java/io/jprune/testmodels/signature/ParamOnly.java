package io.jprune.testmodels.signature;

/** Named only as a parameter type by {@link SignatureOnly}. */
public final class ParamOnly {}
