import CumulantBackend
import Physics
import Planning

extension BackendRegistry {
    /// The backends of this build.
    public static var standard: BackendRegistry {
        BackendRegistry([
            .cumulant: CumulantBackend(),
        ])
    }
}
