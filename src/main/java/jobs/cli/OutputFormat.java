package jobs.cli;

/** {@code --output} of the commands that print restore points. */
enum OutputFormat { table, json }
