import ArgumentParser
struct Run: ParsableCommand { func run() throws {} }
struct Rerun: ParsableCommand { func run() throws {} }
