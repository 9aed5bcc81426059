from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "bookwarden.training"
    label = "training"
    verbose_name = "Training and awareness"
