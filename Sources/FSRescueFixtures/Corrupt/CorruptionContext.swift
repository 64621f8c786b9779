import FSRescue
struct CorruptionContext {
    var truth: FixtureTruth
    let seed: UInt64, count: Int
    mutating func apply(_ kind: CorruptionKind, wfs: WritableFilesystem) throws(FSRescueError) {}
    mutating func applyRaw(_ kind: CorruptionKind, image: CreatedImageFile) throws(FSRescueError) {}
    func finish() -> FixtureTruth { truth }
}
