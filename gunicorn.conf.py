"""gunicorn's settings. gunicorn reads ./gunicorn.conf.py by itself, so the command in README.md
and bench/load.py (both run from the project directory) get them: calendar keys are masked in the
access and error logs, as portal.logs masks them in Django's."""

from gunicorn.glogging import Logger

from portal.logs import MaskSecrets


class MaskedLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(MaskSecrets())


logger_class = MaskedLogger
