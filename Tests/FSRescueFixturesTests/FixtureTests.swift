// Fixture factory tests.
import Testing
