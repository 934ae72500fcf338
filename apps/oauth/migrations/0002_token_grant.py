import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oauth", "0001_initial"),
        ("administrations", "0001_initial"),
        migrations.swappable_dependency(settings.OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TokenGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('access_token', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='administration_grants', to=settings.OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL)),
                ('administration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='administrations.administration')),
            ],
        ),
        migrations.AddConstraint(
            model_name='tokengrant',
            constraint=models.UniqueConstraint(fields=('access_token', 'administration'), name='unique_token_grant'),
        ),
    ]
