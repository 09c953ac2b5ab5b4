import Foundation
import Physics

/// How a dipolesync command ends: the exit codes of docs/spec-language.md §11.2. Commands end by
/// throwing a status (after printing what they have to say) or an error; `init(for:)` is the one
/// place where errors become codes.
public enum ExitStatus: Int32, Error, CaseIterable, Sendable {
    /// Success (also `--help` and `--version`).
    case success = 0
    /// An invalid spec (validation or planning), a bundle, shard or checkpoint that does not check
    /// out, a rerun that did not reproduce, a submission whose points do not fit.
    case invalid = 1
    /// A usage error: unknown command or option, a bad argument, an output folder that cannot be
    /// written or is locked, an existing one without `--force`, a shard bundle given to `rerun`, a
    /// site file with a mistake.
    case usage = 2
    /// A computation that failed (no convergence, out of the memory budget), or a bundle that could
    /// not be written, with the reason.
    case computation = 3

    /// The status an error of dipolesync's own ends a command with (nil for an error it does not
    /// know, such as argument parsing's).
    public static func of(_ error: Error) -> ExitStatus? {
        switch error {
        case let s as ExitStatus: return s
        case is TargetError, is SiteFileError: return .usage
        case let e as BundleError:
            switch e {
            case .exists: return .usage
            case .invalid: return .invalid
            case .io: return .computation
            }
        case let e as ShardError:
            switch e {
            case .invalid: return .invalid
            case .io: return .computation
            }
        case is ArchivedSpec.Failure, is OutcomeCodec.DecodeError: return .invalid
        case is ExecutionError, is MachineMemoryError: return .computation
        default: return nil
        }
    }

    /// The status an error ends a command with: anything not named in `of` failed while computing.
    public init(for error: Error) { self = Self.of(error) ?? .computation }

    /// What a command prints on standard error for `error`: `error: …`, except for errors that are
    /// already rendered as `FILE:LINE:COL: error: …` diagnostics.
    public static func message(for error: Error) -> String {
        switch error {
        case is ArchivedSpec.Failure, is SiteFileError: return "\(error)"
        default: return "error: \(error)"
        }
    }
}
