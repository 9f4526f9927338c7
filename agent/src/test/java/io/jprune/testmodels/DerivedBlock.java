package io.jprune.testmodels;

/** Inherits forward: a call {@code derived.forward(x)} names this class as the owner. */
public class DerivedBlock extends BaseBlock {}
