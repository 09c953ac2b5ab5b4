// Replaced by the backend's own benchmark cases.
func dickeBenchmark(_ args: [String]) throws {
    print("not yet implemented")
}
