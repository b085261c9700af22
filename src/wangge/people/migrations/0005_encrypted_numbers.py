"""ID numbers and phones encrypted at rest, in the person table and its history, with their
blind indexes (crypto.py); the uniqueness of a document and the searches move to the digests."""

from django.db import migrations, models

import wangge.crypto

BATCH_ROWS = 5000


def encrypt_numbers(apps, schema_editor):
    for table, key, indexes in (("people_person", "id", ("id_number_index", "phone_index")),
                                ("people_historicalperson", "history_id", (None, None))):
        wangge.crypto.reseal(schema_editor.connection, table, key,
                             list(zip(("id_number", "phone"), indexes, strict=True)),
                             batch_size=BATCH_ROWS, plaintext=True)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_lighter_person_indexes'),
        ('places', '0002_history_reason_text'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='person',
            name='one_record_per_document',
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='people_pers_id_numb_1f4e14_idx',
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='people_pers_phone_b55729_idx',
        ),
        migrations.AddField(
            model_name='person',
            name='id_number_index',
            field=wangge.crypto.BlindIndexField(source='id_number'),
        ),
        migrations.AddField(
            model_name='person',
            name='phone_index',
            field=wangge.crypto.BlindIndexField(source='phone'),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='id_number',
            field=wangge.crypto.EncryptedCharField(blank=True, max_length=20, verbose_name='ID number'),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='phone',
            field=wangge.crypto.EncryptedCharField(blank=True, max_length=20, verbose_name='phone'),
        ),
        migrations.AlterField(
            model_name='person',
            name='id_number',
            field=wangge.crypto.EncryptedCharField(blank=True, max_length=20, verbose_name='ID number'),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone',
            field=wangge.crypto.EncryptedCharField(blank=True, max_length=20, verbose_name='phone'),
        ),
        migrations.RunPython(encrypt_numbers),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['phone_index'], name='people_pers_phone_i_ad7784_idx'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.UniqueConstraint(condition=models.Q(('id_number_index', ''), _negated=True), fields=('id_number_index', 'document_type'), name='one_record_per_document'),
        ),
    ]
