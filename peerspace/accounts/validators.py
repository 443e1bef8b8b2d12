from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Long passphrases are welcome; this only stops absurd ones (hashing cost)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"Please use a password of at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"At most {self.max_length} characters; a long phrase is good."
