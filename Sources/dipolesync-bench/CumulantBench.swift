// Replaced by the backend's own benchmark cases.
func cumulantBenchmark(_ args: [String]) throws {
    print("not yet implemented")
}
