// Fixture factory: deterministic ext2/3/4 images and named corruptions with ground truth.

/// Namespace of the fixture factory (see the fixture issue); the only code that writes images,
/// and only images it creates itself.
public enum FSRescueFixtures {}
