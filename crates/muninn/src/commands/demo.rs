pub fn run(
    _config: &crate::config::Config,
    _args: &crate::cli::DemoArgs,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("demo not ready")
}
