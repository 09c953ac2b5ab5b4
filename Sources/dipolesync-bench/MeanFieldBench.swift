// Replaced by the backend's own benchmark cases.
func meanFieldBenchmark(_ args: [String]) throws {
    print("not yet implemented")
}
