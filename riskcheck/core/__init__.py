"""The core of the pipeline: the questionnaire model, the assessment, expressions,
the compiler, the engine, the result, the loader and the errors.

Pure functions over data: no printing, no prompts, no ``sys.exit``. The core never
imports the gate, the report, the web form or the command line (import-linter
enforces it).
"""
