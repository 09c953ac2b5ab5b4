import Foundation
import PackagePlugin

/// Fixes the program's source revision when it is built, not when it runs: before every build,
/// `scripts/provenance` writes `BuildProvenance.swift` (the git revision of the package's checkout,
/// and whether tracked files had changes) into the plugin's work folder, and the target compiles it.
/// A binary copied to a cluster, or a checkout pulled but not rebuilt, so records what it was built from.
@main
struct BuildProvenance: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let script = context.package.directoryURL.appendingPathComponent("scripts/provenance")
        return [
            .prebuildCommand(
                displayName: "Recording the source revision",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    script.path, context.package.directoryURL.path,
                    out.appendingPathComponent("BuildProvenance.swift").path
                ],
                outputFilesDirectory: out)
        ]
    }
}
