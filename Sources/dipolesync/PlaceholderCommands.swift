import ArgumentParser
struct Plan: ParsableCommand { func run() throws {} }
struct Run: ParsableCommand { func run() throws {} }
struct Rerun: ParsableCommand { func run() throws {} }
