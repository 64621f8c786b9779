// The cost model: scaled from one measured pass, split between bytes and entries from several.
import Testing
import FSRescue

@Suite("Progress cost model")
struct ProgressCostModelTests {
    @Test func nothingMeasuredFitsNothing() {
        #expect(CostModel.fitted(to: []) == nil)
        #expect(CostModel.fitted(to: [.init(bytes: 0, entries: 0, seconds: 3)]) == nil)
        #expect(CostModel.fitted(to: [.init(bytes: 1e6, entries: 10, seconds: 0)]) == nil)
    }

    @Test func oneObservationScalesThePrior() throws {
        let prior = CostModel.prior
        let observed = CostModel.Observation(bytes: 400e6, entries: 1e6, seconds: 10)
        let model = try #require(CostModel.fitted(to: [observed]))
        // It explains the one pass exactly, and keeps the prior's ratio between bytes and entries.
        #expect(abs(model.seconds(units: 1, bytesPerUnit: 400e6, entriesPerUnit: 1e6) - 10) < 1e-6)
        let ratio = model.secondsPerByte / model.secondsPerEntry
        #expect(abs(ratio / (prior.secondsPerByte / prior.secondsPerEntry) - 1) < 1e-6)
    }

    @Test func passesOfDifferentMixesRevealBothCosts() throws {
        // A disk that reads at 50 MB/s and parses 10 million entries a second.
        let truth = CostModel(secondsPerByte: 1 / 50e6, secondsPerEntry: 1 / 10e6)
        func observe(bytes: Double, entries: Double) -> CostModel.Observation {
            .init(bytes: bytes, entries: entries, seconds: bytes * truth.secondsPerByte + entries * truth.secondsPerEntry)
        }
        let model = try #require(CostModel.fitted(to: [observe(bytes: 500e6, entries: 2e6), observe(bytes: 20e6, entries: 60e6)]))
        // A third pass, of a mix unlike either, is predicted within 10%.
        let predicted = model.seconds(units: 1, bytesPerUnit: 100e6, entriesPerUnit: 30e6)
        let actual = truth.seconds(units: 1, bytesPerUnit: 100e6, entriesPerUnit: 30e6)
        #expect(abs(predicted / actual - 1) < 0.10)
    }

    @Test func coefficientsStayPositive() throws {
        // Inconsistent timings (a pass with more work finishing sooner) must not produce negative costs.
        let model = try #require(CostModel.fitted(to: [
            .init(bytes: 100e6, entries: 0, seconds: 10),
            .init(bytes: 100e6, entries: 50e6, seconds: 1),
        ]))
        #expect(model.secondsPerByte > 0)
        #expect(model.secondsPerEntry > 0)
    }
}
