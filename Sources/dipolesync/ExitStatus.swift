import ArgumentParser
import Execution
import Foundation

extension ExitStatus {
    /// How the program ends after `error` escaped a command or argument parsing: a status is
    /// already reported; dipolesync's own errors are reported and mapped here; argument parsing's
    /// go through ArgumentParser (help and version exit 0, every other parsing error is a usage error).
    static func finish(_ error: Error) -> ExitStatus.RawValue {
        if let s = error as? ExitStatus { return s.rawValue }
        if let e = error as? ExitCode { return e.rawValue }
        if of(error) != nil { return failure(error).rawValue }
        let code = DipolesyncCommand.exitCode(for: error)
        if code.rawValue == success.rawValue {
            print(DipolesyncCommand.fullMessage(for: error))
            return success.rawValue
        }
        FileHandle.standardError.write(Data((DipolesyncCommand.fullMessage(for: error) + "\n").utf8))
        return code == .validationFailure ? usage.rawValue : code.rawValue
    }
}

/// Reports `error` on standard error and returns the status it ends the command with.
func failure(_ error: Error) -> ExitStatus {
    printError(ExitStatus.message(for: error))
    return ExitStatus(for: error)
}
