"""Compiled templates shared by every app in a process.

Jinja compiles a template (parses it, writes Python, compiles that) the first time an environment renders it, and
each app has an environment of its own: every app made in a process (each test's app, a CLI command's) compiled the
same templates again, ~0.1 s each for the larger pages. ``SharedBytecodeCache`` keeps the compiled code in the process
under the template's name and the environment's settings, and Jinja checks the source's checksum before using it, so
an edited template is compiled again. Nothing in it can differ between two workers: it is a pure function of the
template files.
"""
from __future__ import annotations

from jinja2.bccache import Bucket, BytecodeCache


class SharedBytecodeCache(BytecodeCache):
    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def get_bucket(self, environment, name, filename, source) -> Bucket:
        bucket = Bucket(environment, f"{self.settings(environment)}|{self.get_cache_key(name, filename)}",
                        self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    @staticmethod
    def settings(environment) -> str:
        """What the compiled code depends on besides the source: extensions, delimiters, autoescaping, options."""
        autoescape = environment.autoescape
        return repr((
            sorted(environment.extensions), environment.block_start_string, environment.block_end_string,
            environment.variable_start_string, environment.variable_end_string, environment.comment_start_string,
            environment.comment_end_string, environment.line_statement_prefix, environment.line_comment_prefix,
            environment.trim_blocks, environment.lstrip_blocks, environment.newline_sequence,
            environment.keep_trailing_newline, environment.optimized,
            getattr(autoescape, "__qualname__", autoescape),
        ))

    def load_bytecode(self, bucket: Bucket) -> None:
        if (data := self._compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


SHARED_BYTECODE = SharedBytecodeCache()
