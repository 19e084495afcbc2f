import { LoginFailure } from '../auth/login-failure.entity';
import { User } from '../auth/user.entity';
import { ApiKey } from '../clients/api-key.entity';
import { ClientManager } from '../clients/client-manager.entity';
import { Client } from '../clients/client.entity';
import { SalesRep } from '../clients/sales-rep.entity';

/** Every entity of the service; the data source, the migration runner and tests share this list. */
export const ENTITIES = [User, LoginFailure, Client, ClientManager, SalesRep, ApiKey];
